#include "pinyin.h"

#include <string.h>

#include <iconv.h>

#include "app.h"

/* First GB2312 code of each initial, in order ("i", "u", "v" have none). */
static const struct {
    unsigned code;
    char letter;
} bounds[] = {
        {0xB0A1, 'a'}, {0xB0C5, 'b'}, {0xB2C1, 'c'}, {0xB4EE, 'd'}, {0xB6EA, 'e'}, {0xB7A2, 'f'},
        {0xB8C1, 'g'}, {0xB9FE, 'h'}, {0xBBF7, 'j'}, {0xBFA6, 'k'}, {0xC0AC, 'l'}, {0xC2E8, 'm'},
        {0xC4C3, 'n'}, {0xC5B6, 'o'}, {0xC5BE, 'p'}, {0xC6DA, 'q'}, {0xC8BB, 'r'}, {0xC8F6, 's'},
        {0xCBFA, 't'}, {0xCDDA, 'w'}, {0xCEF4, 'x'}, {0xD1B9, 'y'}, {0xD4D1, 'z'},
};

/* Initials of the 3,008 second-level characters (GB2312 rows 0xD8-0xF7, 94
 * a row, ordered by radical, not reading): generated from the pinyin-pro
 * dictionary by tools/gen-pinyin-level2.mjs. */
static const char level2[] = "cqwgnspgcgnegypbtyyzdxykygtzjnnjqmbsgzscyjsyyfpgkbzgydywjkgkljywkpjqh"
                             "yjwrdzlsymrypywwcckznkyyg"
                             "ttnjjeykkzytcjnmcylqlypysfqrpzslwbtgkjfyxjwzltbncxjjjjtxdttsqzycdxxhg"
                             "ckbphffsstybgmxlpbyllbhlx"
                             "smzmyjhsojnghdzqyklgjhsgqzhxqgkezzwyscscjxyeyxadzpmdssmzjzqjyzcjjfwqj"
                             "byzbxgznzcpwhwxhqkmwfbpby"
                             "dtjzzkxhylygcfptyjyyzpszlfchmqshgmxxsxjykdcsbbqbefsjyhxwgzkpylqbgldlc"
                             "dtnmayddkssngycsgxlyzaypn"
                             "ptsdkdylhgymylcxpyajndqjwxqxfyyfjlejpzrxccqwqqsbzkymgplbmjrqcflnymyqm"
                             "tqyrbzjthztqfrxqhxmqjcjly"
                             "qgjmshzkbswyemyltxpsydswlycjqxsjnqbsctyhbftdcyzdjwyghqfsxwckqkxebptlp"
                             "xjzsrmebwhjlbjslyysmdxlcl"
                             "qkxlhxjrzjmfqhxhwywsbhtrxxglhqhfnmgykldyxzpwlggsmtcfpajjzyljtyanjgbjp"
                             "lqgdzyqyaxbkysecjsznslyzh"
                             "zxlzcghpxzhznytdsbcjkdlzayffydlebbgqyzkxgldndnyskjshdlyxbcgyxypkdjmmz"
                             "ngmmclgwzszxzjfznmlzzthcs"
                             "ydbdllscddnlkjykjsycjlkwhqasdknhcsganhdaashtcplcpqybsdmpjlpzjoqlcdhjj"
                             "ysprchnwjnlhlyyqyhwzptczg"
                             "wwmzffjqqqqyxaclbhkdjxdgmmydqxzllsygxgkjrywzwyclzmssjzldbydcpcxyhlxch"
                             "yzjqsqqagmnyxpfrkssbjlyxy"
                             "syglnscmhcwwmnzjjlxxhchsyzsttxrycyxbyhcsmxjsznpwgpxxtaybgajcxlyxdccwz"
                             "ocwkccsbnhcpdyznfcyytyckx"
                             "kybsqkkytqqxfcwchcykelzqbsqyjqcclmthsywhmktlkjlycxwheqqhtqkppqsqscfym"
                             "mdmgbwhwlgsllysdlmlxpthmj"
                             "hwljzyhzjxhtxjlhxrswlwzjcbxmhzqxsdzpmgfcsglsxymqshxpjxwmyzksmyplrthbx"
                             "ftpmhyxlchlhlzylxgsssstcl"
                             "sldclrpbhzhxyyfhbmgdmycnqqwlqhjjcywjzyejjdhpblqxtqkwhlchqxagtlxljxmsl"
                             "jhtzkzjecxjcjnmfbycsfywyb"
                             "jzgnysdzsqyrsljpclpwxsdwejbjcbcnaytwgmpapclyqpclzxsbnmsggfnzjjbzsfzyn"
                             "dxhplqkzczwalspccjxsyzhwk"
                             "ypsgxfzfcdkhjgxtlqfsgdslqwzkxtmhsbgzmjzrglyjbpmlmsxlzjqqhzyjczydjwbmj"
                             "klddpmjegxyhylxhlqyqhkycw"
                             "cjmyyxnatjhyccxzpcqlbzwwytwsqcmlpmyrjcccxfpznzzljplxxyztzlgdltcklyrzz"
                             "gqtgjhhgjljaxfgfjzslcfdqz"
                             "lclgjdjcsnzlljpjqdcclcjxmyzftsxgcgsbrzxjqqcczhgyqtjqqlzxjylylbcyamcst"
                             "ylpdjbyregklzyzhlyszqlznw"
                             "czcllwjqjjjkdgjzolbbzppglghtgzxyjhzmycnqsycyhbhgxkamtxyxnbskyzzgjzlqj"
                             "dfcjxdygjqjjpmgwgjjjpkqsb"
                             "gbmmcjssclpqpdxcdyykypcjddyygywrhjrtgznyqldkljszzgzqzjgdyksgpzmtlcpwn"
                             "jyfyzdjcnmwescyglbtzcgmss"
                             "llyxqsxxbsjsbbsgghfjlwpmzjnlyywdqshzxtyywhmcyhywdbxbtlmsyyyfsxjchtxxl"
                             "hjhfssxzqhfzmzcztqcxzxrtt"
                             "djhnnyzqqmtqdmmgyytxmjgdhcdyzbffallztdltfxmxqzdngwqdbdczjdxbzgsqqddjc"
                             "mbkzffxmkdmdsyyszcmljdsyn"
                             "sprskmkmpcklgtbqtfzswtfgglyplljzhgjjgypzltcsmcnbtjbqfkthbyzgkpbbymtds"
                             "sxtbnpdkleycjnyddykztdhqh"
                             "syzsctarlltkzlgecllkjlqjaqnbdkkghpjtzqksecshalqfmmgjnlyjbbtmlyzxdtjpl"
                             "dlpcqdhzycbzsczbzmsljflkr"
                             "zjsnfrgjhxpdhyjybzgdlqcsezgxlblhyxtwmabchecmwyjyzlljjyhlgndjlslygkdzp"
                             "zxjyyzlwcxszfgwyydlyhcljs"
                             "cmbjhblyzlycblydpdqysxqzbytdkyxjyycnrjmpdjgklcljbctbjddbblblczqrppxjc"
                             "jlzcshltoljnmdddlngkaqhqh"
                             "jhykheznmshrphqqjchgmfprxhjgdychgklyrzqlcyqjnzsqtkqjymszswlcfqqqxyfgg"
                             "yptqwlmcrnfkkfsyylybmqamm"
                             "myxctpshcptxxzzsmphpshmclmldqfyqxszyjdjjzzhqpdszglstjbckbxyqzysgpsxjz"
                             "qzrqtbdkyxzkhhgflbcsmdldg"
                             "dzdblzyycxnncsybzbfglzzxswmsccmqnjqsbdqsjtxxmbltxzclzshzcxrqjgjylxzfj"
                             "phymzqqydfqjjlzznzjcdgzyg"
                             "ctxmzysctlkphtxhtlbjxjlxscdqxcbbtjfqzfsltjbtkqbxxjjljchczdbzjdczjdcpr"
                             "npqcjpfczlclzxzdmxmphjsgz"
                             "gszzqlylwtjpfsyaxmcjbtzyycwmytzsjjlqcqlwzmalbxyfbpnlsfhtgjwejjxxglljs"
                             "tgshjqlzfkcgnndszfdeqfhbs"
                             "aqtgylbxmmyjszldydqmjjrgbjtkhdhgkblqkbdmbylxwcxyttybkmrtjzxqjbhlmhmjj"
                             "zmqasldcyxyqdlqcafywyxqhz";

/* Surnames whose reading as a surname differs, or that GB2312 files late. */
static const struct {
    const char *ch;
    char letter;
} surnames[] = {
        {"曾", 'z'}, {"单", 's'}, {"仇", 'q'}, {"解", 'x'}, {"区", 'o'}, {"查", 'z'},
        {"朴", 'p'}, {"乐", 'y'}, {"覃", 'q'}, {"翟", 'z'}, {"盖", 'g'}, {"尉", 'y'},
        {"缪", 'm'}, {"秘", 'b'}, {"员", 'y'}, {"召", 's'}, {"繁", 'p'}, {"种", 'c'},
        {"沈", 's'}, {"闫", 'y'}, {"邸", 'd'}, {"郗", 'x'}, {"佘", 's'}, {"禚", 'z'},
};

static char initial_of(unsigned code)
{
    unsigned hi = code >> 8, lo = code & 0xFF;
    if (hi >= 0xD8 && hi <= 0xF7 && lo >= 0xA1 && lo <= 0xFE) {
        size_t i = (hi - 0xD8) * 94 + (lo - 0xA1);
        return i < sizeof(level2) - 1 ? level2[i] : 0;
    }
    if (code < 0xB0A1 || code > 0xD7F9)
        return 0;
    char letter = 0;
    for (size_t i = 0; i < ARRAY_LEN(bounds); i++) {
        if (code >= bounds[i].code)
            letter = bounds[i].letter;
        else
            break;
    }
    return letter;
}

/* Length of the UTF-8 sequence starting with byte c (1 for invalid bytes). */
static size_t seq_len(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if ((c & 0xE0) == 0xC0)
        return 2;
    if ((c & 0xF0) == 0xE0)
        return 3;
    if ((c & 0xF8) == 0xF0)
        return 4;
    return 1;
}

void pinyin_initials(char *out, size_t size, const char *utf8)
{
    size_t o = 0;
    if (size == 0)
        return;
    out[0] = '\0';
    iconv_t cd = iconv_open("GB2312", "UTF-8");
    int first = 1;
    for (const char *p = utf8; *p && o + 1 < size;) {
        unsigned char c = (unsigned char)*p;
        size_t n = seq_len(c);
        if (strnlen(p, n) < n)
            break;
        if (n == 1) {
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
                out[o++] = (char)c;
            else if (c >= 'A' && c <= 'Z')
                out[o++] = (char)(c - 'A' + 'a');
            p++;
            first = 0;
            continue;
        }
        char letter = 0;
        if (first) {
            for (size_t i = 0; i < ARRAY_LEN(surnames); i++)
                if (strncmp(p, surnames[i].ch, n) == 0 && strlen(surnames[i].ch) == n)
                    letter = surnames[i].letter;
        }
        if (!letter && cd != (iconv_t)-1) {
            char in[8], gb[8];
            memcpy(in, p, n);
            char *ip = in, *op = gb;
            size_t il = n, ol = sizeof(gb);
            iconv(cd, NULL, NULL, NULL, NULL);
            if (iconv(cd, &ip, &il, &op, &ol) != (size_t)-1 && sizeof(gb) - ol == 2)
                letter = initial_of((unsigned)(unsigned char)gb[0] << 8 | (unsigned char)gb[1]);
        }
        if (letter)
            out[o++] = letter;
        p += n;
        first = 0;
    }
    out[o] = '\0';
    if (cd != (iconv_t)-1)
        iconv_close(cd);
}

/*
 * demo.c - deterministic demo data: projects, buildings, units, owners and
 * one user per role. The same seed and scale always give the same data.
 */
#include "demo.h"

#include <string.h>

#include "audit.h"
#include "core/log.h"
#include "core/pinyin.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "customer.h"
#include "entity.h"
#include "query.h"
#include "ticket_demo.h"

/* splitmix64: small, fast, and the same on every machine. */
static uint64_t next_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static unsigned pick(uint64_t *st, unsigned n)
{
    return (unsigned)(next_rand(st) % n);
}

static const char *const surnames[] = {
        "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱",
        "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯",
        "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜",
        "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭",
        "陆", "汪", "范", "金", "石", "廖", "贾", "夏", "韦", "方", "白", "邹", "孟", "熊",
        "秦", "邱", "江", "尹", "薛", "闫", "段", "雷", "侯", "龙", "史", "陶", "黎", "贺",
        "顾", "毛", "郝", "龚", "邵", "万", "钱", "严", "武", "戴", "莫", "孔", "汤", "欧阳",
};

static const char *const given_m[] = {
        "伟",   "强",   "磊",   "军",   "洋",   "勇",   "杰",   "涛",   "明",   "超",
        "刚",   "平",   "辉",   "鹏",   "华",   "飞",   "鑫",   "波",   "斌",   "宇",
        "浩",   "凯",   "健",   "俊",   "帆",   "帅",   "旭",   "宁",   "龙",   "林",
        "建国", "志强", "海涛", "文博", "子轩", "浩然", "俊杰", "天宇", "国庆", "建华",
};

static const char *const given_f[] = {
        "芳",   "娜",   "敏",   "静",   "丽",   "艳",   "娟",   "霞",   "燕",   "玲",
        "婷",   "雪",   "慧",   "莹",   "晶",   "倩",   "琳",   "颖",   "欣",   "佳",
        "秀英", "桂英", "雨涵", "欣怡", "梓涵", "诗琪", "佳怡", "晓燕", "美玲", "丽华",
};

static const struct {
    const char *name, *city, *district, *area_code;
} project_names[] = {
        {"和悦府", "杭州", "余杭区良渚街道", "330110"},
        {"锦绣华庭", "南京", "江宁区秣陵街道", "320115"},
        {"云栖湾", "苏州", "吴中区太湖新城", "320506"},
        {"翡翠公馆", "合肥", "滨湖新区", "340111"},
        {"滨江壹号", "武汉", "江岸区沿江大道", "420102"},
        {"观澜苑", "成都", "天府新区", "510116"},
        {"紫金花园", "南京", "栖霞区仙林大道", "320113"},
        {"御景园", "杭州", "萧山区钱江世纪城", "330109"},
        {"春风里", "苏州", "工业园区星湖街", "320571"},
        {"星河湾", "合肥", "包河区", "340111"},
        {"香樟园", "武汉", "洪山区光谷", "420111"},
        {"锦江华府", "成都", "锦江区", "510104"},
};

/* Birthplaces of buyers from elsewhere. */
static const char *const other_area_codes[] = {"110105", "310115", "440304", "370202",
                                               "410105", "430104", "350203", "610113"};

static const char *const phone_prefixes[] = {"138", "139", "135", "136", "137", "150", "151",
                                             "152", "158", "159", "182", "183", "186", "187",
                                             "188", "133", "153", "180", "189", "177", "199"};

/* A valid resident ID number: area, birth date, sequence (odd for men), check. */
static void make_id_number(uint64_t *st, char out[19], const char *area, int male)
{
    int year = 1955 + (int)pick(st, 48), month = 1 + (int)pick(st, 12), day = 1 + (int)pick(st, 28);
    int seq = (int)pick(st, 50) * 10 + (int)pick(st, 5) * 2 + (male ? 1 : 0);
    snprintf(out, 19, "%.6s%04d%02d%02d%03d", area, year, month, day, seq % 1000);
    out[17] = validate_id_check_char(out);
    out[18] = '\0';
}

static void make_phone(uint64_t *st, char out[12])
{
    snprintf(out, 12, "%s%08u", phone_prefixes[pick(st, ARRAY_LEN(phone_prefixes))],
             (unsigned)pick(st, 100000000));
}

static const char *const layouts[] = {"两室两厅一卫", "三室两厅一卫", "三室两厅两卫",
                                      "四室两厅两卫"};
static const int layout_area_dm2[] = {8937, 10568, 12312, 14285};

static void person_name(uint64_t *st, char *out, size_t size, int *male)
{
    *male = pick(st, 2) == 0;
    const char *s = surnames[pick(st, ARRAY_LEN(surnames))];
    const char *g =
            *male ? given_m[pick(st, ARRAY_LEN(given_m))] : given_f[pick(st, ARRAY_LEN(given_f))];
    snprintf(out, size, "%s%s", s, g);
}

static const char *project_code_of(int p)
{
    static char code[16];
    snprintf(code, sizeof(code), "P%03d", p + 1);
    return code;
}

/* The demo's history ends on a fixed day, so the same seed gives the same
 * data and nothing is dated in the future (stages and receipts cannot be). */
#define DEMO_LAST_DAY "2026-11-27"

static void demo_clamp_day(char day[11])
{
    if (strcmp(day, DEMO_LAST_DAY) > 0)
        memcpy(day, DEMO_LAST_DAY, 11);
}

/* Receivables, receipts and the loan of a signed contract: most paid on
 * time, some late or partly paid (the overdue list), loans at a stage that
 * fits the contract's age. */
static int seed_money(struct db_conn *c,
                      uint64_t *st,
                      int64_t contract_id,
                      int64_t project_id,
                      int64_t price,
                      const char *status,
                      const char *subscribed,
                      const char *signed_on,
                      const char *filed,
                      const char *method)
{
    char at[32], due_down[11], due_loan[11], paid_on[11], voucher[40];
    int64_t deposit = 5000000;
    time_now_iso(at, sizeof(at));
    int64_t rid = 0;
    int rc = db_query_int64(c, &rid,
                            "INSERT INTO receivables (contract_id, project_id, kind, due_on,"
                            " amount_fen, received_fen, note, created_at)"
                            " VALUES (?,?,'deposit',?,?,?,'定金',?) RETURNING id",
                            "iitiit", contract_id, project_id, subscribed, deposit, deposit, at);
    if (rc < 0)
        return rc;
    snprintf(voucher, sizeof(voucher), "DJ%06lld", (long long)rid);
    rc = db_run(c,
                "INSERT INTO receipts (receivable_id, contract_id, project_id, amount_fen,"
                " received_on, voucher_no, method, recorded_by, created_at)"
                " VALUES (?,?,?,?,?,?,'pos','赵敏',?)",
                "iiiittt", rid, contract_id, project_id, deposit, subscribed, voucher, at);
    if (rc < 0 || strcmp(status, "subscribed") == 0)
        return rc < 0 ? rc : 0;
    int loan = strcmp(method, "full") != 0 && strcmp(method, "installment") != 0;
    int64_t loan_fen = loan ? price * 7 / 10 / 1000000 * 1000000 : 0;
    int64_t down = price - deposit - loan_fen;
    date_add_days(due_down, signed_on, 7);
    date_add_days(due_loan, signed_on, 60);
    /* One in ten pays the down payment only in part (late), one in ten not
     * at all, one in ten in full but days late (the penalty ledger). */
    unsigned roll = pick(st, 10);
    int64_t paid = roll == 0 ? down / 2 : roll == 1 ? 0 : down;
    rc = db_query_int64(
            c, &rid,
            "INSERT INTO receivables (contract_id, project_id, kind, due_on, amount_fen,"
            " received_fen, note, created_at) VALUES (?,?,'down_payment',?,?,?,?,?)"
            " RETURNING id",
            "iitiitt", contract_id, project_id, due_down, down, paid, loan ? "首付款" : "房款", at);
    if (rc < 0)
        return rc;
    if (paid > 0) {
        int64_t early = roll == 0 ? 0 : (int64_t)pick(st, 5);
        date_add_days(paid_on, due_down, roll == 0 ? 12 : roll == 2 ? 3 + early * 4 : -early);
        demo_clamp_day(paid_on);
        snprintf(voucher, sizeof(voucher), "SK%06lld", (long long)rid);
        rc = db_run(c,
                    "INSERT INTO receipts (receivable_id, contract_id, project_id, amount_fen,"
                    " received_on, voucher_no, method, recorded_by, created_at)"
                    " VALUES (?,?,?,?,?,?,'transfer','赵敏',?)",
                    "iiiittt", rid, contract_id, project_id, paid, paid_on, voucher, at);
        if (rc < 0)
            return rc;
    }
    if (!loan)
        return 0;
    /* The loan: later contracts are further along. */
    static const char *const stage_names[] = {"collecting", "signed", "reviewing", "approved",
                                              "disbursed"};
    int reached = strcmp(status, "signed") == 0  ? (int)pick(st, 4)
                  : strcmp(status, "filed") == 0 ? 2 + (int)pick(st, 3)
                                                 : 4;
    int refused = reached < 4 && pick(st, 25) == 0;
    int64_t bank = strcmp(method, "provident_loan") == 0 ? 4 : 1 + (int64_t)pick(st, 3);
    const char *type = strcmp(method, "provident_loan") == 0 ? "provident"
                       : strcmp(method, "combined") == 0     ? "combined"
                                                             : "commercial";
    int64_t pf = strcmp(type, "provident") == 0 ? loan_fen
                 : strcmp(type, "combined") == 0
                         ? (loan_fen / 2 < 100000000 ? loan_fen / 2 : 100000000)
                         : 0;
    int64_t cf = loan_fen - pf;
    char day[11], since[11];
    app_strlcpy(day, signed_on, sizeof(day));
    app_strlcpy(since, signed_on, sizeof(since));
    int64_t lid = 0;
    rc = db_query_int64(c, &lid,
                        "INSERT INTO loans (contract_id, project_id, loan_type, bank_id,"
                        " commercial_fen, commercial_rate, commercial_months, provident_fen,"
                        " provident_rate, provident_months, amount_fen, stage, stage_since,"
                        " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,'collecting',?,?,?)"
                        " RETURNING id",
                        "iitiitiitiittt", contract_id, project_id, type, bank, cf,
                        cf ? "3.1" : NULL, cf ? (int64_t)360 : (int64_t)0, pf, pf ? "2.6" : NULL,
                        pf ? (int64_t)360 : (int64_t)0, loan_fen, signed_on, at, at);
    if (rc < 0)
        return rc;
    for (int k = 0; k <= reached + refused && k < 5; k++) {
        const char *name = k > reached ? "refused" : stage_names[k];
        if (k > 0) {
            date_add_days(day, day, 3 + (int64_t)pick(st, 12));
            demo_clamp_day(day);
        }
        app_strlcpy(since, day, sizeof(since));
        rc = db_run(c,
                    "INSERT INTO loan_stages (loan_id, stage, on_date, username) VALUES (?,?,?,?)",
                    "ittt", lid, name, day, "mortgage");
        if (rc < 0)
            return rc;
        if (k > reached)
            break;
    }
    const char *final_stage = refused ? "refused" : stage_names[reached];
    int disbursed = !refused && reached == 4;
    rc = db_run(c,
                "UPDATE loans SET stage = ?, stage_since = ?, disbursed_fen = ?, disbursed_on = ?,"
                " refuse_reason = ? WHERE id = ?",
                "ttitti", final_stage, since, disbursed ? loan_fen : (int64_t)0,
                disbursed ? since : NULL, refused ? "收入证明不足" : NULL, lid);
    if (rc < 0)
        return rc;
    rc = db_query_int64(
            c, &rid,
            "INSERT INTO receivables (contract_id, project_id, kind, due_on, amount_fen,"
            " received_fen, note, created_at) VALUES (?,?,'loan',?,?,?,"
            "'按揭贷款（银行放款）',?) RETURNING id",
            "iitiit", contract_id, project_id, due_loan, loan_fen,
            disbursed ? loan_fen : (int64_t)0, at);
    if (rc >= 0 && disbursed) {
        snprintf(voucher, sizeof(voucher), "DK-%lld", (long long)lid);
        rc = db_run(c,
                    "INSERT INTO receipts (receivable_id, contract_id, project_id, amount_fen,"
                    " received_on, voucher_no, method, recorded_by, created_at)"
                    " VALUES (?,?,?,?,?,?,'loan','赵敏',?)",
                    "iiiittt", rid, contract_id, project_id, loan_fen, since, voucher, at);
    }
    (void)filed;
    return rc < 0 ? rc : 0;
}

/* The contract behind a sold unit, at a stage that matches the unit: a
 * reservation is a subscription still collecting documents; a signed unit
 * is signed, filed or pre-registered; a delivered one is pre-registered. */
static int seed_contract(struct db_conn *c,
                         uint64_t *st,
                         int64_t project_id,
                         int64_t unit_id,
                         int64_t price,
                         const char *unit_status,
                         const int64_t *cids,
                         char names[][32],
                         int owners,
                         int seq,
                         const char *project_code)
{
    static const char *const methods[] = {"full",           "commercial_loan", "commercial_loan",
                                          "provident_loan", "combined",        "installment"};
    char no[48], buyers[80], subscribed[11], signed_on[11], filed[11], prereg[11], at[32];
    const char *status;
    unsigned roll = pick(st, 10);
    if (strcmp(unit_status, "reserved") == 0)
        status = "subscribed";
    else if (strcmp(unit_status, "delivered") == 0)
        status = "preregistered";
    else
        status = roll < 3 ? "signed" : roll < 7 ? "filed" : "preregistered";
    snprintf(no, sizeof(no), "HT-%s-%05d", project_code, seq);
    snprintf(buyers, sizeof(buyers), "%s%s%s", names[0], owners > 1 ? "、" : "",
             owners > 1 ? names[1] : "");
    /* Dates run from a fixed start so the same seed gives the same data. */
    date_add_days(subscribed, "2025-03-01", (int64_t)pick(st, 600));
    date_add_days(signed_on, subscribed, 7 + (int64_t)pick(st, 9));
    date_add_days(filed, signed_on, 3 + (int64_t)pick(st, 38));
    date_add_days(prereg, filed, 5 + (int64_t)pick(st, 26));
    /* Contracts still waiting for filing or pre-registration are recent, so
     * the deadline lists show a few near or past due, not all of them. */
    if (strcmp(status, "signed") == 0)
        date_add_days(signed_on, "2026-10-20", (int64_t)pick(st, 36));
    if (strcmp(status, "filed") == 0)
        date_add_days(filed, "2026-10-15", (int64_t)pick(st, 40));
    demo_clamp_day(signed_on);
    demo_clamp_day(filed);
    demo_clamp_day(prereg);
    time_now_iso(at, sizeof(at));
    int is_signed = strcmp(status, "subscribed") != 0;
    int is_filed = strcmp(status, "filed") == 0 || strcmp(status, "preregistered") == 0;
    int is_prereg = strcmp(status, "preregistered") == 0;
    char filing_no[40], prereg_no[48];
    snprintf(filing_no, sizeof(filing_no), "BA%s%06u", project_code, (unsigned)pick(st, 1000000));
    snprintf(prereg_no, sizeof(prereg_no), "预告登记第%07u号", (unsigned)pick(st, 10000000));
    int64_t id = 0;
    struct db_params p = {0};
    db_params_text(&p, no);
    db_params_int(&p, project_id);
    db_params_int(&p, unit_id);
    db_params_text(&p, status);
    db_params_text(&p, buyers);
    db_params_int(&p, price);
    db_params_int(&p, 5000000);
    const char *methods_pick = methods[pick(st, ARRAY_LEN(methods))];
    db_params_text(&p, methods_pick);
    db_params_text(&p, subscribed);
    db_params_text(&p, is_signed ? signed_on : NULL);
    db_params_text(&p, strcmp(unit_status, "delivered") == 0 ? "2026-06-30" : "2027-06-30");
    db_params_text(&p, is_filed ? filing_no : NULL);
    db_params_text(&p, is_filed ? filed : NULL);
    db_params_text(&p, is_prereg ? prereg_no : NULL);
    db_params_text(&p, is_prereg ? prereg : NULL);
    db_params_text(&p, at);
    db_params_text(&p, at);
    struct db_stmt *s = NULL;
    int rc = db_prepare(&s, c,
                        "INSERT INTO contracts (no, project_id, unit_id, status, buyer_names,"
                        " total_price_fen, deposit_fen, payment_method, subscribed_on, signed_on,"
                        " delivery_deadline, filing_no, filed_on, prereg_no, preregistered_on,"
                        " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
                        " RETURNING id");
    if (rc == 0) {
        db_params_bind(s, &p);
        rc = db_step(s);
        if (rc == DB_ROW)
            id = db_col_int64(s, 0);
        db_finalize(s);
    }
    db_params_free(&p);
    if (rc < 0)
        return rc;
    rc = seed_money(c, st, id, project_id, price, status, subscribed, signed_on, filed,
                    methods_pick);
    if (rc < 0)
        return rc;
    for (int o = 0; o < owners; o++) {
        rc = db_run(c,
                    "INSERT INTO contract_buyers (contract_id, customer_id, share_bp, is_primary)"
                    " VALUES (?,?,?,?)",
                    "iiii", id, cids[o], (int64_t)(owners == 2 ? 5000 : 10000), (int64_t)(o == 0));
        if (rc < 0)
            return rc;
        if (!is_signed) {
            /* Still collecting: the checklist with what came in so far. */
            rc = db_run(c,
                        "INSERT INTO contract_documents (contract_id, customer_id, doc_code,"
                        " doc_name, status, updated_at) SELECT ?, ?, doc_code, doc_name,"
                        " CASE WHEN sort <= ? THEN 'received' ELSE 'missing' END, ? FROM"
                        " contract_doc_rules WHERE project_id IS NULL AND buyer_type ="
                        " (SELECT CASE WHEN hukou = 'nonlocal' THEN 'nonlocal' ELSE 'local' END"
                        " FROM customers WHERE id = ?)",
                        "iiiti", id, cids[o], (int64_t)pick(st, 4), at, cids[o]);
            if (rc < 0)
                return rc;
        }
    }
    return 0;
}

static int seed_projects(struct db_conn *c,
                         uint64_t *st,
                         const struct demo_options *opt,
                         struct demo_counts *n)
{
    char at[32];
    time_now_iso(at, sizeof(at));
    int64_t company = 0;
    int rc = db_query_int64(c, &company,
                            "INSERT INTO companies (name, uscc, created_at) VALUES (?,?,?)"
                            " RETURNING id",
                            "ttt", "安家置业集团有限公司", "91350100M000100Y43", at);
    if (rc < 0)
        return rc;
    int projects = opt->projects;
    for (int p = 0; p < projects; p++) {
        int64_t pid = 0;
        char code[16], name[64], permits[128], address[128];
        int base = p % (int)ARRAY_LEN(project_names);
        snprintf(code, sizeof(code), "P%03d", p + 1);
        if (p < (int)ARRAY_LEN(project_names))
            snprintf(name, sizeof(name), "%s", project_names[base].name);
        else
            snprintf(name, sizeof(name), "%s%d期", project_names[base].name,
                     p / (int)ARRAY_LEN(project_names) + 1);
        snprintf(permits, sizeof(permits), "%s房预售证第2025%04d号", project_names[base].city,
                 100 + p * 7);
        snprintf(address, sizeof(address), "%s市%s%d号", project_names[base].city,
                 project_names[base].district, 88 + p);
        static const char *const statuses[] = {"selling", "delivering", "selling", "delivered"};
        rc = db_query_int64(c, &pid,
                            "INSERT INTO projects (company_id, code, name, city, address,"
                            " presale_permits, status, created_at, updated_at)"
                            " VALUES (?,?,?,?,?,?,?,?,?) RETURNING id",
                            "itttttttt", company, code, name, project_names[base].city, address,
                            permits, statuses[p % 4], at, at);
        if (rc < 0)
            return rc;
        n->projects++;
        int buildings = opt->buildings;
        for (int b = 1; b <= buildings; b++) {
            int64_t bid = 0;
            char bcode[16], bname[32];
            int floors = 11 + pick(st, 8);
            snprintf(bcode, sizeof(bcode), "%d", b);
            snprintf(bname, sizeof(bname), "%d号楼", b);
            rc = db_query_int64(c, &bid,
                                "INSERT INTO buildings (project_id, code, name, floors, created_at)"
                                " VALUES (?,?,?,?,?) RETURNING id",
                                "ittit", pid, bcode, bname, (int64_t)floors, at);
            if (rc < 0)
                return rc;
            n->buildings++;
            for (int u = 1; u <= 2; u++) {
                for (int f = 1; f <= floors; f++) {
                    for (int r = 1; r <= opt->flats; r++) {
                        char room[32], rcode[80];
                        int lay = (u + r) % 2 + (f > floors / 2 ? 2 : 0);
                        snprintf(room, sizeof(room), "%d%02d", f, r);
                        snprintf(rcode, sizeof(rcode), "%d-%d-%s", b, u, room);
                        int64_t area = layout_area_dm2[lay] + (int64_t)pick(st, 120);
                        int64_t price_per_m2 = 18000 + (int64_t)pick(st, 9000) + f * 120;
                        /* price in fen: area dm² × yuan/m² (dm² = 0.01 m², ×100 fen/yuan) */
                        int64_t price = area * price_per_m2 / 100 * 100;
                        unsigned roll = pick(st, 100);
                        const char *status = roll < 55   ? "signed"
                                             : roll < 65 ? "reserved"
                                             : roll < 80 ? "delivered"
                                                         : "unsold";
                        int64_t measured = strcmp(status, "delivered") == 0
                                                   ? area - 60 + (int64_t)pick(st, 150)
                                                   : 0;
                        int64_t uid = 0;
                        rc = db_query_int64(
                                c, &uid,
                                "INSERT INTO units (project_id, building_id, room_code, unit_no,"
                                " floor, room, layout, usage, contract_area_dm2,"
                                " measured_area_dm2, list_price_fen, status, created_at)"
                                " VALUES (?,?,?,?,?,?,?,'residential',?,NULLIF(?, 0),?,?,?) "
                                "RETURNING id",
                                "iittittiiitt", pid, bid, rcode, u == 1 ? "1" : "2", (int64_t)f,
                                room, layouts[lay], area, measured, price, status, at);
                        if (rc < 0)
                            return rc;
                        n->units++;
                        if (strcmp(status, "unsold") == 0)
                            continue;
                        /* One owner, sometimes a co-owning spouse. */
                        int owners = pick(st, 3) == 0 ? 2 : 1;
                        int64_t cids[2] = {0, 0};
                        char names[2][32];
                        for (int o = 0; o < owners; o++) {
                            char cname[32];
                            int male;
                            person_name(st, cname, sizeof(cname), &male);
                            int local = pick(st, 10) < 7;
                            char idn[19], phone[12], initials[64];
                            make_id_number(
                                    st, idn,
                                    local ? project_names[base].area_code
                                          : other_area_codes[pick(st, ARRAY_LEN(other_area_codes))],
                                    male);
                            make_phone(st, phone);
                            pinyin_initials(initials, sizeof(initials), cname);
                            struct entity_pii sid, sph;
                            entity_pii_seal(&sid, PII_ID, idn);
                            entity_pii_seal(&sph, PII_PHONE, phone);
                            int64_t cid = 0;
                            rc = db_query_int64(
                                    c, &cid,
                                    "INSERT INTO customers (kind, name, gender, hukou, marital,"
                                    " project_id, id_type, id_number_enc, id_number_idx,"
                                    " id_number_mask, phone_enc, phone_idx, phone_mask,"
                                    " phone_tail, name_initials, created_at, updated_at)"
                                    " VALUES ('person',?,?,?,?,?,'id_card',?,?,?,?,?,?,?,?,?,?)"
                                    " RETURNING id",
                                    "ttttitttttttttt", cname, male ? "male" : "female",
                                    local ? "local" : "nonlocal",
                                    owners == 2 ? "married" : (pick(st, 2) ? "married" : "single"),
                                    pid, sid.enc, sid.idx, sid.mask, sph.enc, sph.idx, sph.mask,
                                    sph.tail, initials, at, at);
                            entity_pii_free(&sid);
                            entity_pii_free(&sph);
                            if (rc < 0)
                                return rc;
                            n->customers++;
                            rc = db_run(c,
                                        "INSERT INTO unit_owners (unit_id, customer_id, share_bp,"
                                        " is_primary) VALUES (?,?,?,?)",
                                        "iiii", uid, cid, (int64_t)(owners == 2 ? 5000 : 10000),
                                        (int64_t)(o == 0));
                            if (rc < 0)
                                return rc;
                            /* The purchase opens the owner's timeline. */
                            char title[192];
                            snprintf(title, sizeof(title), "购买 %s %s", name, rcode);
                            rc = customer_event_add(c, cid, "purchase", title, "units", uid, NULL);
                            if (rc < 0)
                                return rc;
                            cids[o] = cid;
                            app_strlcpy(names[o], cname, sizeof(names[o]));
                        }
                        rc = seed_contract(c, st, pid, uid, price, status, cids, names, owners,
                                           ++n->contracts, project_code_of(p));
                        if (rc < 0)
                            return rc;
                    }
                }
            }
        }
    }
    return 0;
}

/* Department heads, project leads, supplies in stock and a few assets, so
 * the office flows have approvers and registers from the start. */
static int seed_office(struct db_conn *c)
{
    static const struct {
        const char *dept, *head;
    } heads[] = {{"客服部", "manager"},
                 {"财务部", "finance"},
                 {"工程部", "engineer"},
                 {"物业公司", "property"},
                 {"公司领导", "director"}};
    int rc = 0;
    for (size_t i = 0; rc >= 0 && i < ARRAY_LEN(heads); i++)
        rc = db_run(c,
                    "UPDATE departments SET head_user_id = (SELECT id FROM users WHERE username ="
                    " ?) WHERE name = ? AND head_user_id IS NULL",
                    "tt", heads[i].head, heads[i].dept);
    if (rc >= 0)
        rc = db_run(c,
                    "UPDATE projects SET manager_user_id = (SELECT id FROM users WHERE username ="
                    " 'manager') WHERE manager_user_id IS NULL",
                    "");
    int64_t n = 0;
    if (rc >= 0)
        rc = db_query_int64(c, &n, "SELECT COUNT(*) FROM office_supplies", "");
    char at[32];
    time_now_iso(at, sizeof(at));
    static const struct {
        const char *name, *unit;
        int64_t stock, min;
    } supplies[] = {{"A4打印纸", "包", 50, 10},     {"签字笔", "支", 200, 50},
                    {"文件夹", "个", 80, 20},       {"订书钉", "盒", 30, 10},
                    {"打印机硒鼓", "个", 4, 2},     {"一次性纸杯", "包", 20, 5},
                    {"业主来访登记本", "本", 12, 5}};
    for (size_t i = 0; rc >= 0 && n == 0 && i < ARRAY_LEN(supplies); i++)
        rc = db_run(c,
                    "INSERT INTO office_supplies (name, unit, stock, min_stock, created_at)"
                    " VALUES (?,?,?,?,?)",
                    "ttiit", supplies[i].name, supplies[i].unit, supplies[i].stock, supplies[i].min,
                    at);
    if (rc >= 0)
        rc = db_query_int64(c, &n, "SELECT COUNT(*) FROM fixed_assets", "");
    static const struct {
        const char *code, *name, *category, *spec, *location;
        int64_t price;
    } assets[] = {
            {"ZC-2025-001", "笔记本电脑", "电子设备", "ThinkPad E14", "客服部办公室", 549900},
            {"ZC-2025-002", "笔记本电脑", "电子设备", "ThinkPad E14", "客服部办公室", 549900},
            {"ZC-2025-003", "激光打印机", "电子设备", "HP M404dn", "售楼处前台", 219900},
            {"ZC-2025-004", "会议桌", "办公家具", "2.4m", "售楼处洽谈区", 360000},
    };
    for (size_t i = 0; rc >= 0 && n == 0 && i < ARRAY_LEN(assets); i++)
        rc = db_run(c,
                    "INSERT INTO fixed_assets (code, name, category, spec, unit_price_fen,"
                    " location, custodian, status, purchased_at, created_at)"
                    " VALUES (?,?,?,?,?,?,'王丽','in_use',?,?)",
                    "ttttittt", assets[i].code, assets[i].name, assets[i].category, assets[i].spec,
                    assets[i].price, assets[i].location, at, at);
    return rc < 0 ? rc : 0;
}

/* The customer-service desk: delivery dates of the delivered flats (their
 * contracts promised 2026-06-30; keys went out over the weeks before),
 * contractors, and half a year of tickets. */
static int seed_service(struct db_conn *c, uint64_t seed)
{
    int rc = db_run(c,
                    "UPDATE units SET delivered_on = (SELECT MIN(x.d) FROM (SELECT"
                    " c.delivery_deadline AS d FROM contracts c WHERE c.unit_id = units.id AND"
                    " c.status <> 'cancelled') x) WHERE status = 'delivered' AND delivered_on IS"
                    " NULL",
                    "");
    /* Spread over the eight weeks before the deadline, by unit. */
    json_t *rows = NULL;
    struct db_params p = {0};
    if (rc >= 0)
        rc = query_rows(&rows, c,
                        "SELECT u.id, u.delivered_on, (SELECT MAX(c.signed_on) FROM contracts c"
                        " WHERE c.unit_id = u.id AND c.status <> 'cancelled') AS signed_on FROM"
                        " units u WHERE u.delivered_on IS NOT NULL",
                        &p);
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        char day[11];
        if (rc < 0)
            break;
        if (date_add_days(day, json_string_value(json_object_get(r, "delivered_on")),
                          -(json_integer_value(json_object_get(r, "id")) % 56)) < 0)
            continue;
        /* Never before the contract was signed. */
        const char *signed_on = json_string_value(json_object_get(r, "signed_on"));
        if (signed_on && strcmp(day, signed_on) < 0)
            memcpy(day, signed_on, sizeof(day));
        rc = db_run(c, "UPDATE units SET delivered_on = ? WHERE id = ?", "ti", day,
                    (int64_t)json_integer_value(json_object_get(r, "id")));
    }
    json_decref(rows);
    /* Completion acceptance (竣工验收) of the projects with delivered flats:
     * six months before the first delivery. The contractor's warranty runs
     * from it. */
    if (rc >= 0)
        rc = db_run(c,
                    "UPDATE projects SET completion_accepted_on = (SELECT MIN(u.delivered_on) FROM"
                    " units u WHERE u.project_id = projects.id) WHERE completion_accepted_on IS"
                    " NULL",
                    "");
    json_t *proj = NULL;
    if (rc >= 0)
        rc = query_rows(&proj, c,
                        "SELECT id, completion_accepted_on FROM projects WHERE"
                        " completion_accepted_on IS NOT NULL",
                        &p);
    json_array_foreach(proj, i, r)
    {
        char day[11];
        if (rc < 0)
            break;
        if (date_add_days(day, json_string_value(json_object_get(r, "completion_accepted_on")),
                          -183) == 0)
            rc = db_run(c, "UPDATE projects SET completion_accepted_on = ? WHERE id = ?", "ti", day,
                        (int64_t)json_integer_value(json_object_get(r, "id")));
    }
    json_decref(proj);
    /* Owners' postal address: their flat (for letters). */
    if (rc >= 0)
        rc = db_run(c,
                    "UPDATE customers SET address = (SELECT p.address || ' ' || p.name || ' ' ||"
                    " u.room_code FROM unit_owners o JOIN units u ON u.id = o.unit_id JOIN projects"
                    " p ON p.id = u.project_id WHERE o.customer_id = customers.id ORDER BY u.id"
                    " LIMIT 1) WHERE address IS NULL",
                    "");
    int64_t n = 0;
    if (rc >= 0)
        rc = db_query_int64(c, &n, "SELECT COUNT(*) FROM contractors", "");
    static const struct {
        const char *name, *trade, *contact, *phone;
    } contractors[] = {
            {"中建华润建设有限公司", "总包", "马建军", "0571-88001234"},
            {"东方雨虹防水工程有限公司", "防水", "钱伟", "0571-88005678"},
            {"美居门窗安装有限公司", "门窗", "许丽", "0571-88009012"},
            {"恒安机电安装有限公司", "水电安装", "周涛", "0571-88003456"},
    };
    char at[32];
    time_now_iso(at, sizeof(at));
    for (size_t k = 0; rc >= 0 && n == 0 && k < ARRAY_LEN(contractors); k++)
        rc = db_run(c,
                    "INSERT INTO contractors (name, trade, contact_name, contact_phone, created_at)"
                    " VALUES (?,?,?,?,?)",
                    "ttttt", contractors[k].name, contractors[k].trade, contractors[k].contact,
                    contractors[k].phone, at);
    if (rc >= 0)
        rc = ticket_demo_seed(c, seed, DEMO_LAST_DAY, 90);
    return rc < 0 ? rc : 0;
}

static const struct {
    const char *username, *display_name, *role, *department;
    int all_projects;
} demo_users[] = {
        {"agent", "王丽", "agent", "客服部", 0},
        {"contract", "李娜", "contract", "客服部", 0},
        {"mortgage", "张伟", "mortgage", "客服部", 0},
        {"manager", "刘洋", "manager", "客服部", 1},
        {"engineer", "陈刚", "engineer", "工程部", 0},
        {"finance", "赵敏", "finance", "财务部", 0},
        {"property", "孙强", "property", "物业公司", 0},
        {"director", "周建国", "director", "公司领导", 1},
        {"supervisor", "黄敏", "supervisor", "客服部", 0},
};

int demo_generate(struct db *db,
                  const struct demo_options *opt,
                  const char *password,
                  struct demo_counts *counts,
                  struct app_err *err)
{
    memset(counts, 0, sizeof(*counts));
    uint64_t st = opt->seed;
    struct db_conn *c = db_acquire(db);
    int rc = db_begin(c, 1);
    if (rc < 0)
        goto done;
    int64_t existing = 0;
    rc = db_query_int64(c, &existing, "SELECT COUNT(*) FROM projects", "");
    if (rc < 0)
        goto done;
    if (existing == 0) {
        rc = seed_projects(c, &st, opt, counts);
        if (rc < 0) {
            app_err_set(err, rc, NULL, "demo data failed: %s", db_errmsg(c));
            goto done;
        }
        json_t *detail = json_pack("{s:i, s:i, s:i, s:i, s:i}", "flats", opt->flats, "projects",
                                   counts->projects, "buildings", counts->buildings, "units",
                                   counts->units, "customers", counts->customers);
        rc = audit_append(c, 0, "system", "seed", "projects", 0, NULL, detail);
        json_decref(detail);
        if (rc < 0)
            goto done;
    }
    for (size_t i = 0; i < ARRAY_LEN(demo_users); i++) {
        int64_t uid = 0;
        if (auth_user_id(c, demo_users[i].username, &uid) == 0)
            continue;
        rc = auth_create_user(c, &uid, demo_users[i].username, demo_users[i].display_name,
                              demo_users[i].role, demo_users[i].department,
                              demo_users[i].all_projects, password, err);
        if (rc < 0)
            goto done;
        counts->users++;
        if (!demo_users[i].all_projects) {
            /* Staff see the first two projects; engineering only the first. */
            int64_t limit = strcmp(demo_users[i].role, "engineer") == 0 ? 1 : 2;
            rc = db_run(c,
                        "INSERT INTO user_projects (user_id, project_id)"
                        " SELECT ?, id FROM projects ORDER BY id LIMIT ?",
                        "ii", uid, limit);
            if (rc < 0)
                goto done;
        }
    }
    rc = seed_office(c);
    if (rc < 0) {
        app_err_set(err, rc, NULL, "demo office data failed: %s", db_errmsg(c));
        goto done;
    }
    rc = seed_service(c, opt->seed);
    if (rc < 0) {
        app_err_set(err, rc, NULL, "demo tickets failed: %s", db_errmsg(c));
        goto done;
    }
    rc = db_commit(c);
done:
    if (db_in_tx(c))
        db_rollback(c);
    db_release(c);
    return rc < 0 ? rc : 0;
}

size_t demo_user_count(void)
{
    return ARRAY_LEN(demo_users);
}

const char *demo_user_name(size_t i, const char **role_label)
{
    static const char *const labels[] = {"客服专员", "签约专员", "按揭专员", "客服经理", "工程部",
                                         "财务部",   "物业公司", "分管领导", "客服主管"};
    if (role_label)
        *role_label = labels[i];
    return demo_users[i].username;
}

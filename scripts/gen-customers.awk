# Generate N customers as an import CSV (header + rows) with valid resident
# ID numbers (GB 11643 check digit) and distinct mobile numbers.
#   awk -v n=400000 -f scripts/gen-customers.awk > customers.csv
BEGIN {
    split("王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹", sur, " ")
    split("伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀英 霞 平 刚 桂英 建华 文博 雨涵 子轩 浩然 欣怡", giv, " ")
    split("7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2", w, " ")
    split("1 0 X 9 8 7 6 5 4 3 2", chk, " ")
    split("130102 150102 210102 220102 230102 360102 450102 530102", area, " ")
    print "姓名,证件类型,证件号码,手机,性别,户籍,婚姻状况"
    for (i = 1; i <= n; i++) {
        # birth: 1960-01-01 + (i % 14000) days, approximated month/day grid
        d = i % 14000
        y = 1960 + int(d / 336); m = 1 + int((d % 336) / 28); dd = 1 + d % 28
        seq = int(i / 14000) % 1000
        id = sprintf("%s%04d%02d%02d%03d", area[1 + i % 8], y, m, dd, seq)
        s = 0
        for (k = 1; k <= 17; k++) s += substr(id, k, 1) * w[k]
        id = id chk[1 + s % 11]
        sex = (seq % 2) ? "男" : "女"
        printf "%s%s,居民身份证,%s,13%09d,%s,%s,%s\n", sur[1 + i % 30], giv[1 + int(i / 30) % 28], id, i, sex, (i % 10 < 7) ? "本地户籍" : "外地户籍", (i % 3) ? "已婚" : "未婚"
    }
}

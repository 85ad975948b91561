/*
 * ticket_demo.c - demo tickets: half a year of calls, visits and 12345
 * dispatches, played through the real intake and action table at their
 * historical times, so queues, SLA figures, satisfaction and the dashboard
 * have something true to show. Deterministic for a seed.
 */
#include "ticket_demo.h"

#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "query.h"
#include "survey.h"
#include "ticket.h"

static unsigned roll(uint64_t *st, unsigned n)
{
    *st = *st * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((*st >> 33) % n);
}

static const struct {
    const char *type, *category, *text, *location;
} calls[] = {
        {"repair", "卫生间渗漏", "卫生间地面渗水，楼下天花板有水渍", "主卫"},
        {"repair", "屋面渗漏", "顶层卧室天花板下雨后渗水", "次卧"},
        {"repair", "外墙渗漏", "客厅外墙内侧墙面返潮发霉", "客厅"},
        {"repair", "门窗渗漏", "阳台推拉门下雨进水", "阳台"},
        {"repair", "墙面裂缝", "客厅墙面出现多条细裂缝", "客厅"},
        {"repair", "门窗", "入户门关不严，门锁卡顿", "入户门"},
        {"repair", "给排水", "厨房水槽下水管漏水", "厨房"},
        {"repair", "电气", "卧室插座没电，空开跳闸", "主卧"},
        {"repair", "管道堵塞", "主卫地漏下水很慢", "主卫"},
        {"repair", "供暖制冷", "地暖不热，室温不到十六度", "客厅"},
        {"complaint", "物业服务", "物业维修人员多次约好不上门", NULL},
        {"complaint", "公共区域", "单元门禁损坏一周无人修理", "单元大堂"},
        {"complaint", "销售承诺", "销售承诺的车位配比与实际不符", NULL},
        {"complaint", "交付延期", "交房时间一再推迟，要求说明情况", NULL},
        {"consult", "产权办理", "询问不动产权证什么时候能办下来", NULL},
        {"consult", "交付延期", "询问交房需要准备哪些资料", NULL},
        {"suggestion", "公共区域", "建议小区增加电动车充电桩", NULL},
        {"compensation", "交付延期", "要求按合同支付逾期交房违约金", NULL},
};

static int64_t category_id(struct db_conn *c, const char *name)
{
    int64_t id = 0;
    db_query_int64(c, &id, "SELECT id FROM ticket_categories WHERE name = ?", "t", name);
    return id;
}

/* One action at a historical time; a refusal only ends this ticket's story. */
static int act(struct db_conn *c,
               const struct auth_user *who,
               int64_t id,
               int64_t at,
               const char *action,
               json_t *params)
{
    struct app_err err = {0};
    time_set_fake(at);
    int rc = ticket_act(c, who, id, action, params, &err);
    json_decref(params);
    return rc;
}

int ticket_demo_seed(struct db_conn *c, uint64_t seed, const char *last_day, int per_project)
{
    struct auth_user *agent = NULL, *supervisor = NULL, *engineer = NULL;
    int64_t uid = 0;
    int rc = 0;
    if (auth_user_id(c, "agent", &uid) == 0)
        auth_user_load(&agent, c, uid);
    if (auth_user_id(c, "supervisor", &uid) == 0)
        auth_user_load(&supervisor, c, uid);
    if (auth_user_id(c, "engineer", &uid) == 0)
        auth_user_load(&engineer, c, uid);
    int64_t existing = 0;
    db_query_int64(c, &existing, "SELECT COUNT(*) FROM tickets", "");
    if (agent == NULL || supervisor == NULL || existing > 0)
        goto done;
    /* Owners of signed flats in the first two projects call. */
    json_t *owners = NULL;
    struct db_params p = {0};
    db_params_int(&p, 2);
    rc = query_rows(&owners, c,
                    "SELECT u.id AS unit_id, u.project_id, u.delivered_on, o.customer_id FROM"
                    " units u JOIN"
                    " unit_owners o ON o.unit_id = u.id AND o.is_primary = 1 WHERE u.project_id IN"
                    " (SELECT id FROM projects ORDER BY id LIMIT ?) ORDER BY u.id",
                    &p);
    db_params_free(&p);
    if (rc < 0 || json_array_size(owners) == 0) {
        json_decref(owners);
        goto done;
    }
    int y, m, d;
    date_parse(&y, &m, &d, last_day);
    int64_t last = date_to_days(y, m, d);
    uint64_t st = seed ^ 0x7469636b6574ULL;
    int n = per_project * 2;
    for (int i = 0; rc >= 0 && i < n; i++) {
        unsigned k = roll(&st, ARRAY_LEN(calls));
        int repair = strcmp(calls[k].type, "repair") == 0;
        /* Repairs come from flats already handed over, after the handover. */
        json_t *o = NULL;
        for (int tries = 0; tries < 50; tries++) {
            o = json_array_get(owners, roll(&st, (unsigned)json_array_size(owners)));
            if (!repair || json_is_string(json_object_get(o, "delivered_on")))
                break;
        }
        int64_t first = last - 180;
        const char *handed = json_string_value(json_object_get(o, "delivered_on"));
        if (repair && handed && date_parse(&y, &m, &d, handed) == 0 &&
            date_to_days(y, m, d) + 1 > first)
            first = date_to_days(y, m, d) + 1;
        if (repair && (handed == NULL || first > last))
            continue;
        int hotline = roll(&st, 12) == 0;
        int64_t day = first + roll(&st, (unsigned)(last - first + 1));
        /* 09:00–17:00 local, as UTC. */
        int64_t t = day * 86400 + (1 + roll(&st, 8)) * 3600 + roll(&st, 3600);
        time_set_fake(t);
        json_t *in =
                json_pack("{s:s, s:s, s:O, s:O, s:I, s:s, s:s}", "type", calls[k].type, "channel",
                          hotline        ? "hotline"
                          : roll(&st, 4) ? "phone"
                                         : "visit",
                          "unit_id", json_object_get(o, "unit_id"), "customer_id",
                          json_object_get(o, "customer_id"), "category_id",
                          (json_int_t)category_id(c, calls[k].category), "severity",
                          roll(&st, 10) == 0 ? "high" : "normal", "description", calls[k].text);
        if (calls[k].location)
            json_object_set_new(in, "location", json_string(calls[k].location));
        if (hotline) {
            char dl[11];
            date_from_days(dl, day + 5);
            json_object_set_new(in, "hotline_deadline", json_string(dl));
            json_object_set_new(in, "hotline_no",
                                json_sprintf("12345-%lld", (long long)(t % 100000)));
        }
        int64_t id = 0;
        struct app_err err = {0};
        rc = ticket_create(&id, NULL, c, agent, in, &err);
        json_decref(in);
        if (rc < 0)
            break;
        int64_t age = (last - day) * 86400;
        /* The older the ticket, the further along: recent ones still open. */
        if (act(c, agent, id, t + 1800 + roll(&st, 7200), "accept", NULL) < 0)
            continue;
        if (age < 86400 && roll(&st, 2))
            continue;
        int64_t at = t + 4 * 3600;
        if (strcmp(calls[k].type, "repair") == 0 &&
            act(c, agent, id, at, "dispatch",
                json_pack("{s:s, s:s}", "dispatch_kind", roll(&st, 2) ? "property" : "department",
                          "dispatch_to", roll(&st, 2) ? "物业维修班" : "工程部")) < 0)
            continue;
        if (strcmp(calls[k].type, "repair") == 0 && roll(&st, 5) == 0)
            act(c, agent, id, at + 60, "mark_defect", json_pack("{s:b}", "is_defect", 1));
        int64_t fix = (1 + roll(&st, 9)) * 86400;
        if (at + fix > (last + 1) * 86400 || (age < 10 * 86400 && roll(&st, 2)))
            continue;
        if (act(c, engineer && roll(&st, 2) ? engineer : agent, id, at + fix, "resolve",
                json_pack("{s:s}", "resolution", "已上门处理，业主确认问题解决")) < 0)
            continue;
        int64_t cb = at + fix + 86400;
        if (cb > (last + 1) * 86400)
            continue;
        int score = (int)(3 + roll(&st, 3));
        if (roll(&st, 12) == 0)
            score = 2;
        if (roll(&st, 10) == 0) {
            act(c, supervisor, id, cb, "callback",
                json_pack("{s:s, s:s}", "outcome", "failed", "note", "无人接听"));
            cb += 86400;
        }
        act(c, supervisor, id, cb, "callback",
            json_pack("{s:s, s:i, s:s}", "outcome", "reached", "score", score, "comment",
                      score >= 4   ? "处理及时，满意"
                      : score == 3 ? "基本满意"
                                   : "拖得太久，不满意"));
    }
    json_decref(owners);
    /* Most owners answer the survey after their ticket closed, in line with
     * the callback's score (the day after). */
    if (rc >= 0) {
        json_t *due = NULL;
        struct db_params q = {0};
        rc = query_rows(&due, c,
                        "SELECT s.id, t.satisfaction, t.closed_at FROM survey_responses s JOIN"
                        " tickets t ON s.source = 'tickets ' || t.id WHERE s.status = 'invited' AND"
                        " t.satisfaction IS NOT NULL ORDER BY s.id",
                        &q);
        size_t i;
        json_t *r;
        json_array_foreach(due, i, r)
        {
            if (rc < 0)
                break;
            if (roll(&st, 5) == 0)
                continue;
            int64_t sat = json_integer_value(json_object_get(r, "satisfaction")), closed = 0;
            time_parse_iso(&closed, json_string_value(json_object_get(r, "closed_at")));
            time_set_fake(closed + 86400);
            json_t *answers = json_pack("{s:I, s:I, s:I}", "overall", (json_int_t)sat, "timely",
                                        (json_int_t)(sat > 1 && roll(&st, 3) == 0 ? sat - 1 : sat),
                                        "nps", (json_int_t)(sat * 2 > 10 ? 10 : sat * 2));
            struct app_err err = {0};
            rc = survey_answer(c, supervisor, json_integer_value(json_object_get(r, "id")), answers,
                               &err);
            json_decref(answers);
        }
        json_decref(due);
    }
done:
    time_set_fake(0);
    auth_user_free(agent);
    auth_user_free(supervisor);
    auth_user_free(engineer);
    return rc < 0 ? rc : 0;
}

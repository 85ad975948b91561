#include "rbac.h"

#include <string.h>

#include "core/app.h"

const struct field_option rbac_perm_options[] = {
        {"project.read", "查看项目", "View projects", NULL},
        {"project.write", "维护项目", "Edit projects", NULL},
        {"project.export", "导出项目", "Export projects", NULL},
        {"building.read", "查看楼栋", "View buildings", NULL},
        {"building.export", "导出楼栋", "Export buildings", NULL},
        {"unit.read", "查看房源", "View units", NULL},
        {"unit.export", "导出房源", "Export units", NULL},
        {"customer.read", "查看客户", "View customers", NULL},
        {"customer.export", "导出客户", "Export customers", NULL},
        {"customer.write", "维护客户", "Edit customers", NULL},
        {"customer.pii_id", "查看完整证件号码", "See full ID numbers", NULL},
        {"customer.pii_phone", "查看完整手机号码", "See full phone numbers", NULL},
        {"customer.pii_account", "查看完整银行账号", "See full bank accounts", NULL},
        {"customer.merge", "合并重复客户", "Merge duplicate customers", NULL},
        {"customer.merge_undo", "撤销客户合并", "Undo customer merges", NULL},
        {"customer.import", "批量导入", "Bulk import", NULL},
        {"customer.privacy", "个人信息导出与匿名化", "Personal data export and anonymisation",
         NULL},
        {"building.write", "维护楼栋", "Edit buildings", NULL},
        {"unit.write", "维护房源", "Edit units", NULL},
        {"company.read", "查看公司", "View companies", NULL},
        {"company.write", "维护公司", "Edit companies", NULL},
        {"contract.read", "查看合同", "View contracts", NULL},
        {"contract.write", "认购录入与合同信息维护", "Subscribe and edit contracts", NULL},
        {"contract.sign", "签约", "Sign contracts", NULL},
        {"contract.file", "网签备案与预告登记", "File and pre-register", NULL},
        {"contract.amend", "申请更名、换房、退房", "Request amendments", NULL},
        {"contract.waive", "豁免签约资料", "Waive documents", NULL},
        {"contract.export", "导出合同台账", "Export contract ledgers", NULL},
        {"loan.read", "查看按揭贷款", "View loans", NULL},
        {"loan.write", "办理按揭贷款", "Handle loans", NULL},
        {"loan.export", "导出按揭台账", "Export loan ledger", NULL},
        {"bank.read", "查看银行", "View banks", NULL},
        {"bank.write", "维护银行与网点", "Edit banks", NULL},
        {"receivable.read", "查看应收与收款", "View receivables", NULL},
        {"receivable.write", "生成应收、登记催缴", "Plan receivables, record dunning", NULL},
        {"receivable.export", "导出收款与逾期台账", "Export receipts and overdue ledgers", NULL},
        {"receipt.write", "登记收款", "Record receipts", NULL},
        {"approval.use", "发起和处理审批", "Use approvals", NULL},
        {"approval.read_all", "查看全部审批单", "See all approval requests", NULL},
        {"approval.admin", "维护审批模板", "Edit approval templates", NULL},
        {"department.read", "查看部门", "View departments", NULL},
        {"department.write", "维护部门", "Edit departments", NULL},
        {"register.read", "查看资产、用品、借款、用章登记", "View registers", NULL},
        {"register.write", "登记盖章、还款、库存调整", "Record in registers", NULL},
        {"duty.read", "查看值班记录", "View duty logs", NULL},
        {"duty.write", "填写值班记录", "Write duty logs", NULL},
        {"ticket.read", "查看工单", "View tickets", NULL},
        {"ticket.write", "登记与处理工单", "Take and handle tickets", NULL},
        {"ticket.dispatch", "派单与转派", "Dispatch and reassign tickets", NULL},
        {"ticket.callback", "回访与关闭工单", "Call back and close tickets", NULL},
        {"ticket.supervise", "重新打开工单、接收升级", "Reopen tickets, receive escalations", NULL},
        {"ticket.export", "导出工单台账", "Export the ticket ledger", NULL},
        {"ticket.admin", "维护工单分类、SLA 与保修期", "Edit categories, SLAs and warranty periods",
         NULL},
        {"calendar.admin", "维护节假日与调休", "Edit the holiday calendar", NULL},
        {"compensation.read", "查看赔付", "View compensations", NULL},
        {"compensation.write", "申请赔付", "Request compensation", NULL},
        {"compensation.pay", "登记赔付付款", "Record compensation payments", NULL},
        {"defect.read", "查看质量缺陷案例", "View defect cases", NULL},
        {"defect.write", "维护质量缺陷案例", "Edit defect cases", NULL},
        {"contractor.read", "查看施工单位", "View contractors", NULL},
        {"contractor.write", "维护施工单位", "Edit contractors", NULL},
        {"handover.read", "查看交付批次与交房记录", "View handovers", NULL},
        {"handover.write", "办理交付：批次、预约、通知、交房", "Run handovers", NULL},
        {"handover.export", "导出交付台账与物业移交清单", "Export handover ledgers", NULL},
        {"inspection.write", "记录验房与整改", "Record inspections and defects", NULL},
        {"certificate.read", "查看产权证办理", "View property certificates", NULL},
        {"certificate.write", "办理产权证", "Handle property certificates", NULL},
        {"warranty.read", "查看保修期台账", "View the warranty ledger", NULL},
        {"job.read", "查看定时任务与运行记录", "View scheduled jobs and runs", NULL},
        {"job.write", "维护定时任务", "Edit scheduled jobs", NULL},
        {"outbox.read", "查看发送队列", "View the outbox", NULL},
        {"outbox.print", "打印待寄信函", "Print letters", NULL},
        {"newsletter.read", "查看客户通讯", "View newsletters", NULL},
        {"newsletter.write", "编写与发送客户通讯", "Write and send newsletters", NULL},
        {"survey.read", "查看满意度回访", "View surveys", NULL},
        {"survey.write", "记录回访答案", "Record survey answers", NULL},
        {"survey.admin", "维护问卷、发起专项调查", "Edit surveys, run campaigns", NULL},
        {"user.read", "查看用户", "View users", NULL},
        {"user.write", "维护用户", "Edit users", NULL},
        {"user.export", "导出用户", "Export users", NULL},
        {"role.read", "查看角色", "View roles", NULL},
        {"role.write", "维护角色", "Edit roles", NULL},
        {"audit.read", "查看审计日志", "View audit trail", NULL},
        {"audit.export", "导出审计日志", "Export audit trail", NULL},
        {NULL, NULL, NULL, NULL},
};

int rbac_known(const char *code)
{
    for (const struct field_option *o = rbac_perm_options; o->value; o++)
        if (strcmp(o->value, code) == 0)
            return 1;
    return 0;
}

const char *rbac_group(const char *code)
{
    static const struct {
        const char *prefix, *group;
    } groups[] = {
            {"project.", "客户与房源"},    {"building.", "客户与房源"},
            {"unit.", "客户与房源"},       {"customer.", "客户与房源"},
            {"user.", "系统设置"},         {"role.", "系统设置"},
            {"audit.", "系统设置"},        {"company.", "客户与房源"},
            {"ticket.", "客服工单"},       {"compensation.", "客服工单"},
            {"defect.", "客服工单"},       {"contractor.", "客服工单"},
            {"calendar.", "系统设置"},     {"handover.", "交付与产权"},
            {"inspection.", "交付与产权"}, {"certificate.", "交付与产权"},
            {"warranty.", "客服工单"},     {"job.", "系统设置"},
            {"outbox.", "系统设置"},       {"newsletter.", "客服工单"},
            {"survey.", "客服工单"},
    };
    for (size_t i = 0; i < ARRAY_LEN(groups); i++)
        if (strncmp(code, groups[i].prefix, strlen(groups[i].prefix)) == 0)
            return groups[i].group;
    return "其他";
}

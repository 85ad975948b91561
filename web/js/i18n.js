// UI strings, Chinese first. Labels that come from the API carry their own
// `label` / `label_en`; use L() for those.

const STORE_KEY = 'anjia.lang';

const DICT = {
  'app.name': ['安家', 'Anjia'],
  'app.subtitle': ['客服管理系统', 'Customer Service'],
  'lang.zh': ['中文', '中文'],
  'lang.en': ['English', 'English'],
  'lang.switch': ['切换语言', 'Language'],

  'login.title': ['登录', 'Sign in'],
  'login.username': ['用户名', 'Username'],
  'login.password': ['密码', 'Password'],
  'login.submit': ['登录', 'Sign in'],
  'login.busy': ['正在登录…', 'Signing in…'],
  'login.need_username': ['请输入用户名', 'Enter your username'],
  'login.need_password': ['请输入密码', 'Enter your password'],
  'login.expired': ['登录已过期，请重新登录', 'Your session has expired. Please sign in again.'],
  'login.footer': ['房地产客服部工作系统', 'Real-estate customer service workspace'],

  'nav.home': ['工作台', 'Home'],
  'nav.collapse': ['收起菜单', 'Collapse menu'],
  'nav.expand': ['展开菜单', 'Expand menu'],
  'nav.empty': ['当前账号没有可访问的模块，请联系系统管理员分配权限。',
    'This account has no modules yet. Ask an administrator for permissions.'],

  'top.project': ['项目', 'Project'],
  'top.all_projects': ['全部项目', 'All projects'],
  'top.my_projects': ['我的全部项目', 'All my projects'],
  'top.change_password': ['修改密码', 'Change password'],
  'top.logout': ['退出登录', 'Sign out'],

  'pw.old': ['原密码', 'Current password'],
  'pw.new': ['新密码', 'New password'],
  'pw.confirm': ['确认新密码', 'Confirm new password'],
  'pw.mismatch': ['两次输入的新密码不一致', 'The two new passwords differ'],
  'pw.changed': ['密码已修改', 'Password changed'],
  'pw.reset_title': ['重置密码', 'Reset password'],
  'pw.reset_hint': ['设置新密码后，该用户的所有登录会话将被结束。',
    "Setting a new password ends all of this user's sessions."],
  'pw.reset_done': ['密码已重置', 'Password reset'],

  'common.ok': ['确定', 'OK'],
  'common.cancel': ['取消', 'Cancel'],
  'common.save': ['保存', 'Save'],
  'common.saving': ['正在保存…', 'Saving…'],
  'common.edit': ['编辑', 'Edit'],
  'common.new': ['新建', 'New'],
  'common.back': ['返回', 'Back'],
  'common.retry': ['重试', 'Retry'],
  'common.loading': ['加载中…', 'Loading…'],
  'common.yes': ['是', 'Yes'],
  'common.no': ['否', 'No'],
  'common.all': ['全部', 'All'],
  'common.none': ['—', '—'],
  'common.close': ['关闭', 'Close'],
  'common.required': ['必填', 'Required'],
  'common.shortcut_save': ['Ctrl+Enter 保存', 'Ctrl+Enter to save'],

  'list.search': ['搜索', 'Search'],
  'list.search_ph': ['在本列表中查找', 'Keyword in this list'],
  'list.actions': ['操作', 'Actions'],
  'list.query': ['查询', 'Search'],
  'list.reset': ['重置', 'Reset'],
  'list.more': ['更多筛选', 'More filters'],
  'list.less': ['收起筛选', 'Fewer filters'],
  'list.from': ['起', 'from'],
  'list.to': ['止', 'to'],
  'list.export': ['导出Excel', 'Export Excel'],
  'list.exporting': ['正在导出…', 'Exporting…'],
  'list.exported': ['已导出 {name}', 'Exported {name}'],
  'list.columns': ['列设置', 'Columns'],
  'list.columns_default': ['恢复默认', 'Reset to default'],
  'list.total': ['共 {n} 条', '{n} total'],
  'list.page': ['第 {p} / {n} 页', 'Page {p} of {n}'],
  'list.prev': ['上一页', 'Previous'],
  'list.next': ['下一页', 'Next'],
  'list.empty_new': ['暂无数据 — 点击 新建 添加', 'No data yet — click New to add one'],
  'list.empty': ['暂无数据', 'No data'],
  'list.empty_filtered': ['没有符合条件的数据 — 调整或清除筛选条件',
    'Nothing matches — change or clear the filters'],
  'list.clear_filters': ['清除筛选', 'Clear filters'],
  'list.sort_hint': ['点击排序', 'Click to sort'],
  'list.bad_number': ['请输入数字', 'Enter a number'],
  'list.project_filtered': ['已按项目筛选：{name}', 'Filtered by project: {name}'],

  'detail.fields': ['基本信息', 'Details'],
  'detail.history': ['操作记录', 'History'],
  'detail.history_empty': ['暂无操作记录', 'No history yet'],
  'detail.history_error': ['操作记录加载失败：{msg}', 'Could not load history: {msg}'],
  'detail.by': ['{who}', '{who}'],
  'detail.system': ['系统', 'System'],
  'detail.unlock': ['解锁', 'Unlock'],
  'detail.unlock_confirm': ['确定解除该账号的登录锁定吗？', 'Clear the login lockout of this account?'],
  'detail.unlocked': ['已解锁', 'Unlocked'],
  'detail.back_to_list': ['返回{label}列表', 'Back to {label}'],

  'audit.create': ['创建', 'Created'],
  'audit.update': ['修改', 'Updated'],
  'audit.delete': ['删除', 'Deleted'],
  'audit.login': ['登录', 'Signed in'],
  'audit.logout': ['退出', 'Signed out'],
  'audit.password': ['修改密码', 'Password changed'],
  'audit.unlock': ['解锁', 'Unlocked'],
  'audit.disable': ['停用', 'Disabled'],
  'audit.enable': ['启用', 'Enabled'],
  'audit.reveal': ['查看完整信息', 'Revealed personal data'],
  'audit.merge': ['合并客户', 'Merged'],
  'audit.merge_undo': ['撤销合并', 'Merge undone'],
  'audit.anonymise': ['匿名化', 'Anonymised'],
  'audit.privacy_export': ['导出个人信息', 'Personal data exported'],
  'audit.import': ['批量导入', 'Imported'],

  'search.label': ['全局搜索', 'Search'],
  'search.placeholder': ['搜索客户、手机号、证件号、房号', 'Search customers, phones, IDs, rooms'],
  'search.results': ['搜索结果', 'Search results'],
  'search.keys': ['↑↓ 选择 · Enter 打开 · Esc 关闭', '↑↓ select · Enter open · Esc close'],
  'search.hint_title': ['可搜索：姓名、拼音首字母、手机号或后四位、证件号、房号',
    'Search by name, pinyin initials, mobile or its last 4 digits, ID number, room'],
  'search.hint_name': ['姓名或姓名开头', 'Name or its beginning'],
  'search.hint_initials': ['拼音首字母', 'Pinyin initials'],
  'search.hint_phone': ['手机号或后四位', 'Mobile or last 4 digits'],
  'search.hint_id': ['完整证件号', 'Full ID number'],
  'search.hint_room': ['房号或其开头', 'Room code or its beginning'],
  'search.company': ['企业', 'Company'],
  'search.no_unit': ['暂无房产', 'No unit'],
  'search.customers': ['客户（{n}）', 'Customers ({n})'],
  'search.units': ['房源（{n}）', 'Units ({n})'],
  'search.owner': ['业主 {name}', 'Owner {name}'],
  'search.no_owner': ['暂无业主', 'No owner'],
  'search.none': ['没有找到“{q}”', 'Nothing found for "{q}"'],
  'search.none_hint': ['可搜索姓名、拼音首字母、手机号或后四位、证件号、房号',
    'Try a name, pinyin initials, a mobile or its last 4 digits, an ID number or a room'],
  'search.kind_name': ['姓名', 'name'],
  'search.kind_initials': ['拼音首字母', 'pinyin initials'],
  'search.kind_phone': ['手机号', 'mobile'],
  'search.kind_phone_tail': ['手机后四位', 'last 4 digits of the mobile'],
  'search.kind_id_number': ['证件号', 'ID number'],
  'search.kind_room': ['房号', 'room'],
  'search.matched_by': ['按{kind}匹配', 'Matched by {kind}'],
  'search.searching': ['正在搜索…', 'Searching…'],

  'reveal.show': ['查看完整', 'Show'],
  'reveal.hide': ['隐藏', 'Hide'],
  'reveal.tip': ['查看完整（将记录到审计日志）', 'Show in full (recorded in the audit trail)'],
  'reveal.logged': ['已记录到审计日志', 'Recorded in the audit trail'],

  'c360.crumb': ['客户360', 'Customer 360'],
  'c360.open': ['360视图', '360 view'],
  'c360.record': ['基本资料', 'Record'],
  'c360.export': ['导出个人信息', 'Export personal data'],
  'c360.export_tip': ['下载该客户的全部个人信息（JSON，未脱敏），将记录到审计日志',
    "Download all of this customer's personal data (JSON, unmasked); recorded in the audit trail"],
  'c360.anonymise': ['匿名化', 'Anonymise'],
  'c360.units_count': ['房产', 'Units'],
  'c360.n_units': ['{n} 套', '{n}'],
  'c360.no_units': ['暂无', 'None'],
  'c360.units': ['房产', 'Units'],
  'c360.no_units_long': ['该客户名下暂无房产', 'This customer owns no unit'],
  'c360.more': ['更多资料', 'More details'],
  'c360.timeline': ['客户动态', 'Timeline'],
  'c360.timeline_empty': ['暂无动态', 'Nothing yet'],
  'c360.measured': ['实测', 'measured'],
  'c360.contract': ['预测', 'contract'],
  'c360.primary_owner': ['主产权人', 'Primary owner'],
  'c360.co_owner': ['共有人', 'Co-owner'],
  'c360.layout': ['户型', 'Layout'],
  'c360.area': ['面积', 'Area'],
  'c360.price': ['标价', 'List price'],
  'c360.share': ['产权份额', 'Share'],
  'c360.owners': ['产权人', 'Owners'],
  'c360.primary': ['主', 'Primary'],
  'c360.merged_into': ['该客户记录已合并到', 'This record was merged into'],
  'c360.anonymised_note': ['该客户的个人信息已匿名化，无法恢复。', "This customer's personal data has been anonymised and cannot be restored."],
  'c360.anon_title': ['匿名化 · {name}', 'Anonymise · {name}'],
  'c360.anon_warning': ['匿名化将永久清除该客户的姓名、证件号、手机、地址、银行账号等个人信息，操作不可撤销。房产与业务记录保留。',
    "Anonymising permanently erases this customer's name, ID number, phones, address and bank account. It cannot be undone. Units and business records stay."],
  'c360.anon_reason': ['原因（如客户申请编号）', 'Reason (e.g. request number)'],
  'c360.anon_ok': ['确认匿名化', 'Anonymise'],
  'c360.anonymised': ['已匿名化', 'Anonymised'],

  'grid.crumb': ['楼盘表', 'Building grid'],
  'grid.open': ['楼盘表', 'Building grid'],
  'grid.legend': ['房源状态', 'Unit states'],
  'grid.legend_tip': ['点击突出显示该状态的房源', 'Click to highlight units in this state'],
  'grid.total': ['共 {n} 套', '{n} units'],
  'grid.floor': ['楼层', 'Floor'],
  'grid.stair': ['{n}单元', 'Stairwell {n}'],
  'grid.empty': ['该楼栋暂无房源', 'This building has no units yet'],
  'grid.as_list': ['房源列表', 'Units list'],
  'grid.hint': ['点击房间打开业主360，未售房间打开房源详情；方向键移动', "Click a flat to open its owner's 360 (unsold: the unit); arrow keys move"],

  'dup.title': ['重复客户', 'Duplicate customers'],
  'dup.intro': ['证件号相同，或姓名和手机号都相同的客户记录。选择要保留的记录后合并，其余记录的房产和动态将转到保留的记录。',
    'Records with the same ID number, or the same name and mobile. Choose the one to keep and merge: the others move their units and history to it.'],
  'dup.refresh': ['刷新', 'Refresh'],
  'dup.empty': ['没有发现重复客户', 'No duplicates found'],
  'dup.same_id': ['证件号相同', 'Same ID number'],
  'dup.same_name_phone': ['姓名和手机号相同', 'Same name and mobile'],
  'dup.keep_this': ['保留此记录', 'Keep this one'],
  'dup.will_merge': ['将被合并', 'Will be merged'],
  'dup.phone': ['手机', 'Mobile'],
  'dup.id_number': ['证件号', 'ID number'],
  'dup.units': ['房产', 'Units'],
  'dup.merge': ['合并', 'Merge'],
  'dup.merge_hint': ['合并后被合并的记录标为“已合并”，管理员可撤销', 'Merged records are marked as merged; an administrator can undo it'],
  'dup.n_records': ['{n} 条记录', '{n} records'],
  'dup.confirm_title': ['合并客户', 'Merge customers'],
  'dup.confirm': ['确定将 {from} 合并到 {keep} 吗？', 'Merge {from} into {keep}?'],
  'dup.confirm_note': ['被合并记录的房产与动态将转到保留的记录，被合并的记录标为“已合并”。', 'Units and history move to the kept record; the others are marked as merged.'],
  'dup.merging': ['正在合并…', 'Merging…'],
  'dup.merged': ['已合并', 'Merged'],
  'dup.merged_into': ['已将 {from} 合并到', 'Merged {from} into'],
  'dup.undo': ['撤销', 'Undo'],
  'dup.undone': ['已撤销合并', 'Merge undone'],
  'dup.undone_note': ['已撤销合并，记录已恢复', 'Merge undone; the records are back'],

  'imp.title': ['批量导入', 'Import'],
  'imp.intro': ['按模板整理好 Excel 或 CSV 文件，先预检，确认无误后再导入。导入在服务器上进行，离开本页不会中断。',
    'Fill in the template (Excel or CSV), check it first, then import. Imports run on the server and keep going if you leave this page.'],
  'imp.kind': ['导入内容', 'What to import'],
  'imp.kind_customers': ['客户', 'Customers'],
  'imp.kind_units': ['房源', 'Units'],
  'imp.kind_projects': ['项目', 'Projects'],
  'imp.step_kind': ['选择导入内容', 'Choose what to import'],
  'imp.step_template': ['下载模板', 'Download the template'],
  'imp.tpl_csv': ['CSV 模板', 'CSV template'],
  'imp.tpl_xlsx': ['Excel 模板', 'Excel template'],
  'imp.tpl_hint': ['首行列名请勿修改；CSV 用 UTF-8 或 GBK 编码；不超过 64 MB',
    'Keep the first row (column names); CSV in UTF-8 or GBK; up to 64 MB.'],
  'imp.step_file': ['选择文件', 'Choose the file'],
  'imp.pick': ['选择文件…', 'Choose file…'],
  'imp.no_file': ['未选择文件（.xlsx 或 .csv）', 'No file chosen (.xlsx or .csv)'],
  'imp.bad_type': ['只支持 .xlsx 或 .csv 文件', 'Only .xlsx or .csv files'],
  'imp.too_big': ['文件过大（{size}），最大 64 MB，请拆分后导入', 'File too large ({size}); the limit is 64 MB — split it'],
  'imp.empty_file': ['文件是空的', 'The file is empty'],
  'imp.step_check': ['预检', 'Check'],
  'imp.check': ['预检', 'Check'],
  'imp.check_hint': ['预检只检查，不写入数据', 'Checking writes nothing'],
  'imp.downloading': ['正在下载…', 'Downloading…'],
  'imp.uploading': ['正在上传…', 'Uploading…'],
  'imp.not_ready': ['导入功能暂不可用，请联系系统管理员', 'Import is not available yet; ask an administrator'],
  'imp.history': ['最近的导入', 'Recent imports'],
  'imp.history_empty': ['暂无导入记录', 'No imports yet'],
  'imp.all_history': ['全部{label}', 'All {label}'],
  'imp.running': ['进行中', 'Running'],
  'imp.failed': ['失败', 'Failed'],
  'imp.has_bad': ['有错误', 'Has errors'],
  'imp.done': ['完成', 'Done'],
  'imp.job_check': ['预检', 'Check'],
  'imp.job_import': ['导入', 'Import'],
  'imp.progress': ['进度', 'Progress'],
  'imp.progress_n': ['{done} / {total} 行（{pct}%）', '{done} / {total} rows ({pct}%)'],
  'imp.starting': ['正在读取文件…', 'Reading the file…'],
  'imp.columns': ['识别的列：', 'Columns found:'],
  'imp.failed_msg': ['导入失败，请检查文件后重试', 'The import failed; check the file and retry'],
  'imp.confirm': ['确认导入', 'Import now'],
  'imp.all_valid': ['全部 {n} 行均有效，可以导入', 'All {n} rows are valid'],
  'imp.pick_again': ['请重新选择该文件后导入', 'Choose the file again to import it'],
  'imp.bad_rows': ['共 {total} 行，其中 {bad} 行有问题：请修正文件后重新选择并预检', '{bad} of {total} rows have problems: fix the file, choose it again and check'],
  'imp.imported': ['已导入 {n} 行', 'Imported {n} rows'],
  'imp.open_list': ['查看{kind}', 'Open {kind}'],
  'imp.row': ['行号', 'Row'],
  'imp.column': ['列', 'Column'],
  'imp.field': ['字段', 'Field'],
  'imp.problem': ['问题', 'Problem'],
  'imp.more_errors': ['另有 {n} 条未显示', '{n} more not shown'],

  'form.new_title': ['新建{label}', 'New {label}'],
  'form.edit_title': ['编辑{label}', 'Edit {label}'],
  'form.required': ['请填写{label}', '{label} is required'],
  'form.bad_int': ['请输入整数', 'Enter a whole number'],
  'form.bad_money': ['请输入金额，最多两位小数，如 1234.56', 'Enter an amount with at most 2 decimals, e.g. 1234.56'],
  'form.bad_area': ['请输入面积（平方米），最多两位小数', 'Enter an area in m² with at most 2 decimals'],
  'form.bad_date': ['请输入日期，如 2026-03-05', 'Enter a date like 2026-03-05'],
  'form.bad_datetime': ['请输入日期时间', 'Enter a date and time'],
  'form.masked_hint': ['已脱敏显示，留空则不修改', 'Masked; leave empty to keep'],
  'form.saved': ['已保存', 'Saved'],
  'form.created': ['已创建', 'Created'],
  'form.unchanged': ['没有修改', 'Nothing changed'],
  'form.fix_errors': ['请修正标出的字段后再保存', 'Fix the marked fields, then save'],
  'form.leave_confirm': ['表单有未保存的修改，确定离开吗？', 'You have unsaved changes. Leave anyway?'],
  'form.readonly': ['只读', 'read-only'],
  'form.select': ['请选择', 'Select…'],
  'form.no_options': ['暂无可选项', 'No options'],
  'form.options_error': ['选项加载失败', 'Could not load options'],

  'home.welcome': ['您好，{name}', 'Hello, {name}'],
  'home.role': ['岗位', 'Role'],
  'home.department': ['部门', 'Department'],
  'home.projects': ['负责项目', 'Projects'],
  'home.all_projects': ['全部项目', 'All projects'],
  'home.modules': ['我的模块', 'My modules'],
  'home.search_hint': ['来电查询：按 / 搜索姓名、拼音首字母、手机号后四位、证件号或房号',
    'On a call: press / to search a name, pinyin initials, the last 4 digits of a mobile, an ID number or a room'],

  'err.network': ['无法连接服务器，请检查网络后重试', 'Cannot reach the server. Check the network and retry.'],
  'err.server': ['服务器出错（{status}），请稍后重试', 'Server error ({status}). Please retry later.'],
  'err.forbidden': ['没有权限访问此页面，如需访问请联系系统管理员', 'You do not have access to this page.'],
  'err.not_found': ['页面或记录不存在', 'Page or record not found'],
  'err.title': ['出错了', 'Something went wrong'],
  'err.bad_route': ['地址无效，请从左侧菜单进入', 'Invalid address; use the menu on the left.'],
};

let current = (() => {
  try {
    const v = localStorage.getItem(STORE_KEY);
    return v === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh';
  }
})();

const listeners = new Set();

export function getLang() {
  return current;
}

export function setLang(lang) {
  const next = lang === 'en' ? 'en' : 'zh';
  if (next === current) return;
  current = next;
  try { localStorage.setItem(STORE_KEY, next); } catch { /* private mode */ }
  applyDocumentLang();
  for (const fn of listeners) fn(next);
}

export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function applyDocumentLang() {
  document.documentElement.lang = current === 'en' ? 'en' : 'zh-CN';
}

/** UI string by key; {name} placeholders filled from vars. */
export function t(key, vars) {
  const pair = DICT[key];
  let s = pair ? pair[current === 'en' ? 1 : 0] : key;
  if (vars) {
    s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  }
  return s;
}

/** Label of an API object carrying label / label_en. */
export function L(obj, fallback = '') {
  if (!obj) return fallback;
  if (current === 'en' && (obj.label_en || obj.name_en)) return obj.label_en || obj.name_en;
  return obj.label || obj.name || obj.label_en || obj.name_en || fallback;
}

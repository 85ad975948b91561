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
  'list.search_ph': ['关键字，按 / 聚焦', 'Keyword ( / )'],
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

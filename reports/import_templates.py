"""Example .xlsx files offered on the import pages (tasks, indicators, units, liaisons, 包抓分工, questions).

Bureaus may upload their own tables instead (the import maps the columns); a template only
shows one layout that imports without any mapping.
"""
from datetime import date

from .excel import Column, table_xlsx


def task_template_bytes(year):
    columns = [Column("序号", 6), Column("测评项目", 24, wrap=True), Column("测评内容", 40, wrap=True),
               Column("工作要求", 40, wrap=True), Column("责任单位", 30, wrap=True), Column("牵头单位", 18),
               Column("完成时限", 14, "yyyy-mm-dd"), Column("工作频次", 10)]
    examples = [
        ["1", "3.2.1 学校文明校园创建", "开展文明校园创建，建立创建工作台账", "制定创建方案，每月报送创建进展",
         "郾城区第一实验小学、郾城区第二实验小学", "基础教育股", date(year.year, 6, 30), "每月"],
        ["2", "", "开展文明礼仪教育", "", "各学校", "", "长期坚持", ""],
    ]
    return table_xlsx("任务分解表", columns, examples,
                      heading=f"{year.year}年度文明创建任务分解表（多个责任单位用顿号、逗号或换行分隔）")


def indicator_template_bytes(year):
    columns = [Column("编号", 10), Column("测评项目", 30, wrap=True), Column("测评标准", 50, wrap=True),
               Column("分值", 8, "0.##"), Column("测评方法", 12), Column("最少照片数", 10), Column("照片须有说明", 12)]
    examples = [["3", "未成年人思想道德建设", "", 20, "材料审核", 0, "否"],
                ["3.2", "学校教育", "", 10, "实地考察", 0, "否"],
                ["3.2.1", "文明校园创建", "开展文明校园创建活动，有方案、有记录、有照片", 4, "材料审核", 2, "是"]]
    return table_xlsx("测评指标", columns, examples, heading=f"{year.year}年度测评体系")


def unit_template_bytes(year=None):
    columns = [Column("单位名称", 30), Column("单位类别", 10), Column("联系人", 10), Column("联系电话", 16),
               Column("别名", 24)]
    examples = [["郾城区第一实验小学", "学校", "马晓丽", "13900000001", "郾城区一小、一实小"],
                ["基础教育股", "股室", "李红梅", "0395-0000001", ""]]
    return table_xlsx("单位", columns, examples, heading="单位名单（类别：股室、学校、幼儿园、直属单位）")


def user_template_bytes(year=None):
    columns = [Column("姓名", 10), Column("手机号", 16), Column("所属单位", 30), Column("角色", 12)]
    examples = [["马晓丽", "13900000001", "郾城区第一实验小学", "联络员"]]
    return table_xlsx("联络员", columns, examples, heading="联络员名单（角色：联络员、督导组、局领导、管理员）")


def checklist_template_bytes(year=None):
    columns = [Column("项目", 16, wrap=True), Column("检查内容", 50, wrap=True), Column("分值", 8, "0.##"),
               Column("扣分标准", 30, wrap=True), Column("得分", 8)]
    examples = [["宣传氛围（20分）", "1.校园显著位置有社会主义核心价值观宣传", 10, "", ""],
                ["宣传氛围（20分）", "2.校内有禁烟标识，无吸烟现象", 10, "每处扣2分，扣完为止", ""],
                ["一票否决", "无重大安全责任事故（一票否决）", "", "", ""],
                ["实地考察", "随机抽取5名学生背诵社会主义核心价值观，3名及以上能背诵为达标", "", "", ""]]
    return table_xlsx("检查表", columns, examples,
                      heading="检查表（项目列写分组及分值；不填分值的项目按达标/不达标检查）")


def oversight_template_bytes(year):
    columns = [Column("单位", 30), Column("包抓领导", 12), Column("督导组", 14)]
    examples = [["郾城区第一实验小学", "陈志远", "第一督导组"], ["郾城区第二实验小学", "陈志远", "第二督导组"]]
    return table_xlsx("包抓分工", columns, examples,
                      heading=f"{year.year}年度领导包抓、督导组包督查分工表（包抓领导填局领导姓名；新的督导组名称将新建督导组）")


def question_template_bytes(year=None):
    columns = [Column("序号", 6), Column("题型", 8), Column("题目", 40, wrap=True), Column("选项", 30, wrap=True),
               Column("答案", 30, wrap=True), Column("解析", 30, wrap=True), Column("适用对象", 14), Column("测评指标", 10)]
    examples = [
        ["1", "填空", "请写出社会主义核心价值观的12个主题词", "",
         "富强、民主、文明、和谐、自由、平等、公正、法治、爱国、敬业、诚信、友善", "国家、社会、公民三个层面各4个", "全部", "8.1"],
        ["2", "单选", "我市正在创建的是？", "A. 全国文明城市\nB. 国家卫生城市\nC. 国家园林城市", "A", "", "学生、家长", "8.1"],
        ["3", "判断", "文明校园创建是“两大创建”之一。", "", "对", "两大创建：文明校园、文明家庭", "师生", ""],
        ["4", "满意度", "您对学校文明创建工作满意吗？", "", "", "", "家长", "8.2"],
    ]
    return table_xlsx("应知应会题库", columns, examples,
                      heading="应知应会题库（题型：单选、多选、判断、填空、满意度；填空题答案要点用顿号分隔，顺序不限）")


TEMPLATES = {
    "checklists": (checklist_template_bytes, "检查表导入模板"),
    "tasks": (task_template_bytes, "任务分解表导入模板"),
    "indicators": (indicator_template_bytes, "测评指标导入模板"),
    "units": (unit_template_bytes, "单位导入模板"),
    "users": (user_template_bytes, "联络员导入模板"),
    "oversights": (oversight_template_bytes, "包抓分工导入模板"),
    "questions": (question_template_bytes, "应知应会题库导入模板"),
}

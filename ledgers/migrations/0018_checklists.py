"""Check items of every kind the bureaus' tables use (issue 29): 计分, 达标, 扣分, 一票否决, 抽查 and
group headings; each item's answer and what it earned; the checklist import; a task's group.

Existing scores were all 计分 items: each counts for its item's full points (`applicable`)."""
import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

from ledgers import versions


def applicable_points(apps, schema_editor):
    CheckScore = apps.get_model("ledgers", "CheckScore")
    CheckItem = apps.get_model("ledgers", "CheckItem")
    CheckScore.objects.update(applicable=Subquery(CheckItem.objects.filter(pk=OuterRef("item_id")).values("max_points")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ('ledgers', '0017_surveys'),
    ]

    # SQLite rebuilds tables here, which fails while a data-version trigger names them: the triggers
    # are dropped first and made again at the end (as in 0015). PostgreSQL keeps its triggers.
    operations = [
        migrations.RunPython(versions.off_for_rebuild, versions.on_after_rebuild),
        migrations.RemoveConstraint(
            model_name='checkitem',
            name='check_item_max_points_positive',
        ),
        migrations.AddField(
            model_name='check',
            name='basis',
            field=models.CharField(choices=[('points', '得分率'), ('pass_rate', '达标率')], default='points', max_length=20, verbose_name='计分方式'),
        ),
        migrations.AddField(
            model_name='check',
            name='pass_items',
            field=models.PositiveSmallIntegerField(default=0, verbose_name='达标类项目数'),
        ),
        migrations.AddField(
            model_name='check',
            name='passed_items',
            field=models.PositiveSmallIntegerField(default=0, verbose_name='达标项数'),
        ),
        migrations.AddField(
            model_name='check',
            name='vetoed',
            field=models.BooleanField(default=False, help_text='一票否决项不达标：本次检查不合格', verbose_name='一票否决'),
        ),
        migrations.AddField(
            model_name='checkitem',
            name='allow_na',
            field=models.BooleanField(default=False, help_text='检查时可选“不适用”，不计入满分', verbose_name='可不适用'),
        ),
        migrations.AddField(
            model_name='checkitem',
            name='deduct',
            field=models.DecimalField(blank=True, decimal_places=1, help_text='扣分项：每发现一处扣的分；不填则由检查人直接填扣分', max_digits=5, null=True, verbose_name='每处扣分'),
        ),
        migrations.AddField(
            model_name='checkitem',
            name='deduct_floor',
            field=models.BooleanField(default=False, verbose_name='扣完为止'),
        ),
        migrations.AddField(
            model_name='checkitem',
            name='kind',
            field=models.CharField(choices=[('scored', '计分'), ('passfail', '达标'), ('deduction', '扣分'), ('veto', '一票否决'), ('sampling', '抽查'), ('group', '分组')], default='scored', max_length=20, verbose_name='类型'),
        ),
        migrations.AddField(
            model_name='checkitem',
            name='number',
            field=models.CharField(blank=True, help_text='表中的序号，如 1、（一）、II-1', max_length=20, verbose_name='序号'),
        ),
        migrations.AddField(
            model_name='checkitem',
            name='parent',
            field=models.ForeignKey(blank=True, limit_choices_to={'kind': 'group'}, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='children', to='ledgers.checkitem', verbose_name='所属分组'),
        ),
        migrations.AddField(
            model_name='checkitem',
            name='sample_pass',
            field=models.PositiveSmallIntegerField(blank=True, help_text='抽查项：至少多少人达标为达标；不填为全部达标', null=True, verbose_name='达标人数'),
        ),
        migrations.AddField(
            model_name='checkitem',
            name='sample_size',
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='抽查人数'),
        ),
        migrations.AddField(
            model_name='checkphoto',
            name='item',
            field=models.ForeignKey(blank=True, help_text='不达标或扣分项目的现场照片', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='ledgers.checkitem', verbose_name='检查项目'),
        ),
        migrations.AddField(
            model_name='checkscore',
            name='applicable',
            field=models.DecimalField(decimal_places=1, default=0, help_text='不适用为 0；按达标率计的达标项为 1', max_digits=5, verbose_name='计入满分'),
        ),
        migrations.AddField(
            model_name='checkscore',
            name='asked',
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='抽查人数'),
        ),
        migrations.AddField(
            model_name='checkscore',
            name='deducted',
            field=models.DecimalField(blank=True, decimal_places=1, max_digits=5, null=True, verbose_name='扣分'),
        ),
        migrations.AddField(
            model_name='checkscore',
            name='findings',
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='发现处数'),
        ),
        migrations.AddField(
            model_name='checkscore',
            name='not_applicable',
            field=models.BooleanField(default=False, verbose_name='不适用'),
        ),
        migrations.AddField(
            model_name='checkscore',
            name='passed',
            field=models.BooleanField(blank=True, null=True, verbose_name='达标'),
        ),
        migrations.AddField(
            model_name='checkscore',
            name='sample_passed',
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='达标人数'),
        ),
        migrations.AddField(
            model_name='historicalcheck',
            name='basis',
            field=models.CharField(choices=[('points', '得分率'), ('pass_rate', '达标率')], default='points', max_length=20, verbose_name='计分方式'),
        ),
        migrations.AddField(
            model_name='historicalcheck',
            name='pass_items',
            field=models.PositiveSmallIntegerField(default=0, verbose_name='达标类项目数'),
        ),
        migrations.AddField(
            model_name='historicalcheck',
            name='passed_items',
            field=models.PositiveSmallIntegerField(default=0, verbose_name='达标项数'),
        ),
        migrations.AddField(
            model_name='historicalcheck',
            name='vetoed',
            field=models.BooleanField(default=False, help_text='一票否决项不达标：本次检查不合格', verbose_name='一票否决'),
        ),
        migrations.AddField(
            model_name='historicalcheckitem',
            name='allow_na',
            field=models.BooleanField(default=False, help_text='检查时可选“不适用”，不计入满分', verbose_name='可不适用'),
        ),
        migrations.AddField(
            model_name='historicalcheckitem',
            name='deduct',
            field=models.DecimalField(blank=True, decimal_places=1, help_text='扣分项：每发现一处扣的分；不填则由检查人直接填扣分', max_digits=5, null=True, verbose_name='每处扣分'),
        ),
        migrations.AddField(
            model_name='historicalcheckitem',
            name='deduct_floor',
            field=models.BooleanField(default=False, verbose_name='扣完为止'),
        ),
        migrations.AddField(
            model_name='historicalcheckitem',
            name='kind',
            field=models.CharField(choices=[('scored', '计分'), ('passfail', '达标'), ('deduction', '扣分'), ('veto', '一票否决'), ('sampling', '抽查'), ('group', '分组')], default='scored', max_length=20, verbose_name='类型'),
        ),
        migrations.AddField(
            model_name='historicalcheckitem',
            name='number',
            field=models.CharField(blank=True, help_text='表中的序号，如 1、（一）、II-1', max_length=20, verbose_name='序号'),
        ),
        migrations.AddField(
            model_name='historicalcheckitem',
            name='parent',
            field=models.ForeignKey(blank=True, db_constraint=False, limit_choices_to={'kind': 'group'}, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='ledgers.checkitem', verbose_name='所属分组'),
        ),
        migrations.AddField(
            model_name='historicalcheckitem',
            name='sample_pass',
            field=models.PositiveSmallIntegerField(blank=True, help_text='抽查项：至少多少人达标为达标；不填为全部达标', null=True, verbose_name='达标人数'),
        ),
        migrations.AddField(
            model_name='historicalcheckitem',
            name='sample_size',
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='抽查人数'),
        ),
        migrations.AddField(
            model_name='historicalcheckscore',
            name='applicable',
            field=models.DecimalField(decimal_places=1, default=0, help_text='不适用为 0；按达标率计的达标项为 1', max_digits=5, verbose_name='计入满分'),
        ),
        migrations.AddField(
            model_name='historicalcheckscore',
            name='asked',
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='抽查人数'),
        ),
        migrations.AddField(
            model_name='historicalcheckscore',
            name='deducted',
            field=models.DecimalField(blank=True, decimal_places=1, max_digits=5, null=True, verbose_name='扣分'),
        ),
        migrations.AddField(
            model_name='historicalcheckscore',
            name='findings',
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='发现处数'),
        ),
        migrations.AddField(
            model_name='historicalcheckscore',
            name='not_applicable',
            field=models.BooleanField(default=False, verbose_name='不适用'),
        ),
        migrations.AddField(
            model_name='historicalcheckscore',
            name='passed',
            field=models.BooleanField(blank=True, null=True, verbose_name='达标'),
        ),
        migrations.AddField(
            model_name='historicalcheckscore',
            name='sample_passed',
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='达标人数'),
        ),
        migrations.AddField(
            model_name='historicaltask',
            name='group',
            field=models.CharField(blank=True, help_text='任务分解表中的分组标题，如“宣传氛围”', max_length=100, verbose_name='分组'),
        ),
        migrations.AddField(
            model_name='importupload',
            name='options',
            field=models.JSONField(blank=True, default=dict, verbose_name='导入选项'),
        ),
        migrations.AddField(
            model_name='task',
            name='group',
            field=models.CharField(blank=True, help_text='任务分解表中的分组标题，如“宣传氛围”', max_length=100, verbose_name='分组'),
        ),
        migrations.AlterField(
            model_name='check',
            name='max_total',
            field=models.DecimalField(decimal_places=1, default=0, help_text='适用项目的满分（不适用的不计）；按达标率计的为适用的达标项数', max_digits=6, verbose_name='满分'),
        ),
        migrations.AlterField(
            model_name='check',
            name='total',
            field=models.DecimalField(decimal_places=1, default=0, help_text='按达标率计的检查表为达标项数', max_digits=6, verbose_name='得分'),
        ),
        migrations.AlterField(
            model_name='checkitem',
            name='max_points',
            field=models.DecimalField(decimal_places=1, default=0, help_text='分组的分值为其各项合计的上限；达标项不填分值则按达标率计', max_digits=5, verbose_name='满分'),
        ),
        migrations.AlterField(
            model_name='checkitem',
            name='standard',
            field=models.TextField(blank=True, verbose_name='检查要点'),
        ),
        migrations.AlterField(
            model_name='checkitem',
            name='title',
            field=models.CharField(max_length=500, verbose_name='检查项目'),
        ),
        migrations.AlterField(
            model_name='historicalcheck',
            name='max_total',
            field=models.DecimalField(decimal_places=1, default=0, help_text='适用项目的满分（不适用的不计）；按达标率计的为适用的达标项数', max_digits=6, verbose_name='满分'),
        ),
        migrations.AlterField(
            model_name='historicalcheck',
            name='total',
            field=models.DecimalField(decimal_places=1, default=0, help_text='按达标率计的检查表为达标项数', max_digits=6, verbose_name='得分'),
        ),
        migrations.AlterField(
            model_name='historicalcheckitem',
            name='max_points',
            field=models.DecimalField(decimal_places=1, default=0, help_text='分组的分值为其各项合计的上限；达标项不填分值则按达标率计', max_digits=5, verbose_name='满分'),
        ),
        migrations.AlterField(
            model_name='historicalcheckitem',
            name='standard',
            field=models.TextField(blank=True, verbose_name='检查要点'),
        ),
        migrations.AlterField(
            model_name='historicalcheckitem',
            name='title',
            field=models.CharField(max_length=500, verbose_name='检查项目'),
        ),
        migrations.AlterField(
            model_name='importmapping',
            name='kind',
            field=models.CharField(choices=[('tasks', '任务分解表'), ('indicators', '测评指标'), ('units', '单位'), ('users', '联络员账号'), ('checklists', '检查表'), ('oversights', '包抓分工'), ('questions', '应知应会题库')], max_length=20, verbose_name='导入类型'),
        ),
        migrations.AlterField(
            model_name='importupload',
            name='kind',
            field=models.CharField(choices=[('tasks', '任务分解表'), ('indicators', '测评指标'), ('units', '单位'), ('users', '联络员账号'), ('checklists', '检查表'), ('oversights', '包抓分工'), ('questions', '应知应会题库')], max_length=20, verbose_name='导入类型'),
        ),
        migrations.AddConstraint(
            model_name='checkitem',
            constraint=models.CheckConstraint(condition=models.Q(('max_points__gte', 0)), name='check_item_max_points_not_negative'),
        ),
        migrations.AddConstraint(
            model_name='checkitem',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'scored'), _negated=True), ('max_points__gt', 0), _connector='OR'), name='check_item_scored_has_points'),
        ),
        migrations.RunPython(applicable_points, migrations.RunPython.noop),
        migrations.RunPython(versions.on_after_rebuild, versions.off_for_rebuild),
    ]

"""Notifications (消息提醒): in-app messages, their deliveries by email and group-chat robot,
the robots' webhook settings and each user's email preference.

- `Notification`: one message for one person (the bell and the 消息 page). `dedupe_key` is
  unique per recipient, so an event recorded twice (a job run twice, a double click) is stored
  and sent once.
- `Delivery`: one message sent through one channel (email to an address, a post to a robot),
  with its status, attempts and last error: the admin's 发送记录 page.
- `Webhook`: a group robot (企业微信群机器人 or 钉钉自定义机器人) of a unit or of the bureau itself.
- `NotificationSettings`: a user's email opt-out (the address is `User.email`).

Who sees what: a message only its recipient; deliveries and webhooks the bureau that owns them
(a district's admin their district's, the city's every district's — `visible_to`).
"""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .core import Bureau, Unit


class NotificationKind(models.TextChoices):
    TASK_ASSIGNED = "task_assigned", _("任务下达")
    TASK_DUE_SOON = "task_due_soon", _("任务3天内到期")
    TASK_DUE_TODAY = "task_due_today", _("任务今天到期")
    TASK_OVERDUE = "task_overdue", _("任务逾期")
    PROBLEM_RAISED = "problem_raised", _("问题交办")
    PROBLEM_REJECTED = "problem_rejected", _("复查不通过")
    PROBLEM_OVERDUE = "problem_overdue", _("问题逾期")
    PROBLEM_SUBMITTED = "problem_submitted", _("整改待复查")
    ACTIVITY_RETURNED = "activity_returned", _("活动档案退回")
    ASSIGNMENT_RETURNED = "assignment_returned", _("任务落实退回")
    LETTER_ISSUED = "letter_issued", _("责任书待签订")
    LETTER_RETURNED = "letter_returned", _("责任书扫描件退回")
    BULLETIN_PUBLISHED = "bulletin_published", _("督查通报发布")
    MONTHLY_PUBLISHED = "monthly_published", _("分析小结发布")
    ACCOUNTABILITY_RAISED = "accountability_raised", _("问责提示")
    DIGEST = "digest", _("每日提醒（日结日清）")


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A message is its recipient's alone (the bureau does not read people's messages)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE,
                                  related_name="notifications")
    kind = models.CharField(_("类别"), max_length=30, choices=NotificationKind.choices)
    unit = models.ForeignKey(Unit, verbose_name=_("相关单位"), on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+")
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    dedupe_key = models.CharField(_("去重键"), max_length=120)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="one_message_per_event")]
        # The bell: count of a user's unread messages, one index look-up.
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self):
        return self.title

    @property
    def is_read(self):
        return self.read_at is not None


class Channel(models.TextChoices):
    EMAIL = "email", _("邮件")
    WEBHOOK = "webhook", _("群机器人")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    RETRY = "retry", _("等待重试")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class Flavour(models.TextChoices):
    WECOM = "wecom", _("企业微信群机器人")
    DINGTALK = "dingtalk", _("钉钉自定义机器人")


class BureauScopedQuerySet(models.QuerySet):
    """Rows owned by a bureau (`bureau` field): its admins and inspectors read them (the city's:
    every district's), a liaison none; only the owning bureau changes them."""

    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False) or not user.is_active or user.is_liaison:
            return self.none()
        if user.is_city:
            return self
        return self.filter(bureau_id=user.bureau_id) if user.bureau_id else self.none()

    def actable_by(self, user):
        qs = self.visible_to(user)
        if getattr(user, "is_city", False) and not user.is_superuser:
            qs = qs.filter(bureau_id=user.bureau_id)
        return qs


class Webhook(models.Model):
    """A group-chat robot: of one unit (the school's group) or, without a unit, of the bureau."""

    bureau = models.ForeignKey(Bureau, verbose_name=_("所属教育局"), on_delete=models.CASCADE,
                               related_name="webhooks")
    unit = models.OneToOneField(Unit, verbose_name=_("单位"), on_delete=models.CASCADE, null=True, blank=True,
                                related_name="webhook",
                                help_text=_("留空表示本局自己的工作群（接收通报、分析小结、每日汇总）"))
    flavour = models.CharField(_("机器人类型"), max_length=20, choices=Flavour.choices, default=Flavour.WECOM)
    url = models.URLField(_("Webhook 地址"), max_length=500,
                          help_text=_("群机器人设置中复制的 Webhook 地址（https://qyapi.weixin.qq.com/… 或 "
                                      "https://oapi.dingtalk.com/…）"))
    is_active = models.BooleanField(_("启用"), default=True)

    objects = BureauScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("群机器人")
        verbose_name_plural = _("群机器人")
        ordering = ["bureau", "unit__sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["bureau"], condition=models.Q(unit__isnull=True),
                                               name="one_bureau_webhook")]

    def __str__(self):
        return f"{self.unit or self.bureau}（{self.get_flavour_display()}）"

    def clean(self):
        if self.unit_id and self.bureau_id and self.unit.bureau_id != self.bureau_id:
            raise ValidationError({"unit": "只能为本局所属的单位设置群机器人。"})
        if self.url and not self.url.startswith(("http://", "https://")):
            raise ValidationError({"url": "请填写以 https:// 开头的 Webhook 地址。"})


class DeliveryQuerySet(BureauScopedQuerySet):
    def due(self, now=None):
        return self.filter(status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRY],
                           next_try_at__lte=now or timezone.now())


class Delivery(models.Model):
    bureau = models.ForeignKey(Bureau, verbose_name=_("所属教育局"), on_delete=models.CASCADE,
                               related_name="+")
    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    notification = models.ForeignKey(Notification, verbose_name=_("消息"), on_delete=models.CASCADE, null=True,
                                     blank=True, related_name="deliveries")
    webhook = models.ForeignKey(Webhook, verbose_name=_("群机器人"), on_delete=models.CASCADE, null=True,
                                blank=True, related_name="deliveries")
    target = models.CharField(_("发送对象"), max_length=300)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    dedupe_key = models.CharField(_("去重键"), max_length=160, unique=True)
    status = models.CharField(_("状态"), max_length=20, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_try_at = models.DateTimeField(_("下次尝试"), default=timezone.now)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.target}：{self.subject}"


class NotificationSettings(models.Model):
    """个人设置: the user's email opt-out (the address itself is `User.email`)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE,
                                related_name="notification_settings")
    email_opt_out = models.BooleanField(_("不接收邮件提醒"), default=False)

    class Meta:
        verbose_name = _("提醒设置")
        verbose_name_plural = _("提醒设置")

    def __str__(self):
        return f"{self.user} 的提醒设置"

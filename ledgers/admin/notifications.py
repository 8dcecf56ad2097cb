"""Admin pages of notifications: the group robots (群机器人) a bureau admin sets for the bureau
and for each of its units, and the 发送记录 (every email and robot post, with status, attempts,
next try and last error; failed ones can be sent again).

Both are scoped by bureau (`visible_to` / `actable_by`): a district's admin sees and sets only
their district's; the city's admin reads every district's and sets the city's own.
"""
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from wenming.admin import BureauModelAdmin

from ..models import Delivery, DeliveryStatus, Unit, Webhook
from ..signals import deliveries_queued


@admin.register(Webhook)
class WebhookAdmin(BureauModelAdmin):
    list_display = ["__str__", "unit", "flavour", "is_active"]
    list_filter = ["flavour", "is_active"]
    list_select_related = ["unit", "bureau"]
    fields = ["unit", "flavour", "url", "is_active"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit", "bureau")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "url":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit":
            kwargs["queryset"] = Unit.objects.actable_by(request.user).active()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        base = super().get_form(request, obj, **kwargs)
        user = request.user

        class WebhookForm(base):
            def clean(self):
                data = super().clean()
                unit = data.get("unit")
                self.instance.bureau = unit.bureau if unit is not None else user.owning_bureau()
                if unit is None and Webhook.objects.filter(bureau=self.instance.bureau, unit__isnull=True).exclude(
                        pk=self.instance.pk).exists():
                    raise ValidationError("本局工作群的机器人已经设置过了，请编辑原有的那一条。")
                return data

        return WebhookForm


@admin.register(Delivery)
class DeliveryAdmin(BureauModelAdmin):
    list_display = ["created_at", "channel", "target_short", "subject", "status", "attempts", "next_try_at",
                    "error_short"]
    list_filter = ["status", "channel"]
    search_fields = ["target", "subject"]
    actions = ["send_again"]
    readonly_fields = ["channel", "target", "subject", "body", "url", "status", "attempts", "next_try_at",
                       "last_error", "created_at", "sent_at"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="发送对象")
    def target_short(self, obj):
        # A robot's address carries its secret key: show only its host.
        if obj.channel == "webhook":
            return obj.target.split("?")[0][:60]
        return obj.target

    @admin.display(description="最近错误")
    def error_short(self, obj):
        return obj.last_error[:80]

    @admin.action(description="重新发送所选的失败记录")
    def send_again(self, request, queryset):
        ids = list(queryset.actable_by(request.user).filter(
            status__in=[DeliveryStatus.FAILED, DeliveryStatus.RETRY]).values_list("pk", flat=True))
        Delivery.objects.filter(pk__in=ids).update(status=DeliveryStatus.RETRY, attempts=0,
                                                   next_try_at=timezone.now())
        transaction.on_commit(lambda: deliveries_queued.send(sender=Delivery, ids=ids))
        messages.success(request, f"已重新排队发送 {len(ids)} 条。")

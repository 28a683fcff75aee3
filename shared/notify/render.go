package notify

import (
	"fmt"
	"regexp"
	"strings"
)

// The kinds of message and the text each becomes as a customer-service message or, when a
// WeChat template is configured for the kind, the data its fields take. Data keys are the
// same across the booking and volunteer kinds (activity, time, venue, seats, position,
// reason, name, status, count, detail); the evaluation kinds carry their own.
var texts = map[string]string{
	"booking_confirmed":        "预约成功：{activity}，{time}，{venue}。请凭电子票入场。",
	"booking_promoted":         "候补成功：您已从候补名单转为正式预约。{activity}，{time}，{venue}。",
	"booking_cancelled":        "您的预约已取消：{activity}，{time}。{reason}",
	"slot_cancelled":           "很抱歉，活动已取消：{activity}，{time}。{reason}",
	"booking_reminder":         "活动提醒：{activity} 将于 {time} 在 {venue} 开始，请准时参加。",
	"ballot_won":               "抽签结果：恭喜您中签！{activity}，{time}，{venue}。",
	"ballot_lost":              "抽签结果：很遗憾未中签，您已进入候补名单第 {position} 位。{activity}，{time}。",
	"noshow_warning":           "提醒：您已累计 {count} 次预约未到场，再有一次将暂停预约资格。",
	"booking_suspended":        "您的预约资格已暂停至 {time}，原因：{reason}。",
	"volunteer_applied":        "{districtName}有新的志愿者申请，请到管理后台「志愿者」中及时审核。",
	"volunteer_status_changed": "您的志愿者状态已变更为：{statusText}。{reason}",
	"volunteer_reconfirm":      "请在 {reconfirmByText} 前进入“我的志愿”完成年度确认，以保持在册状态。",
	"shift_reminder":           "志愿服务提醒：{activity} 将于 {time} 在 {venue} 开始，请扫描现场二维码签到。",
	"capacity_reached":         "名额已满提醒：{activity}（{time}）已约满。",
	"low_rating":               "差评提醒：{activityTitle} 收到 {score} 星评价。{comment}",
	"feedback_ticket":          "新的群众意见（{category}），请在 {due} 前答复，编号 {ticketId}。",
	"feedback_reply":           "您提交的意见已收到答复：{reply}",
	"feedback_overdue":         "意见处理超时：编号 {ticketId} 的群众意见已超过答复期限，请尽快处理。",
	"custom_text":              "{text}",
	"news_digest":              "您关注的主题有 {count} 条新内容：{titles}。",
	"survey_invitation":        "满意度调查：您近期参加了{district}的文化活动，诚邀您花一两分钟回答《{title}》的 {count} 个问题，{closes} 截止。",
	"delivery_failed":          "通知发送失败：{detail}（原因：{reason}），请在后台查看。",
	"dependant_took_over":      "家人{label}已于 {time} 开始用自己的微信管理账号：{moved}。今后由{label}自己预约，您不能再代为预约。",
}

// kindNames name each kind of message for staff (a failure alert says which failed).
var kindNames = map[string]string{
	"booking_confirmed": "预约成功通知", "booking_promoted": "候补成功通知", "booking_cancelled": "预约取消通知",
	"slot_cancelled": "活动取消通知", "booking_reminder": "活动提醒", "ballot_won": "中签通知", "ballot_lost": "未中签通知",
	"noshow_warning": "爽约提醒", "booking_suspended": "暂停预约通知", "volunteer_applied": "志愿者申请提醒",
	"volunteer_status_changed": "志愿者状态通知", "volunteer_reconfirm": "志愿者年度确认提醒", "shift_reminder": "志愿服务提醒",
	"capacity_reached": "约满提醒", "low_rating": "差评提醒", "feedback_ticket": "群众意见提醒", "feedback_reply": "意见答复",
	"feedback_overdue": "意见超时提醒", "custom_text": "客服消息", "delivery_failed": "发送失败提醒", "news_digest": "资讯摘要",
	"survey_invitation": "满意度调查邀请", "dependant_took_over": "家人自己管理账号通知",
}

// KindName is how staff read a kind of message; an unknown kind reads as 通知.
func KindName(kind string) string {
	if n, ok := kindNames[kind]; ok {
		return n
	}
	return "通知"
}

// reasonTexts are the delivery reasons (lastError) as staff read them.
var reasonTexts = map[string]string{
	"network": "网络异常", "unsubscribed": "用户已取消关注", "consent_withdrawn": "用户已撤回接收通知的同意", "no_official_account": "用户只用小程序，未关注公众号", "no_mini_subscription": "用户只用小程序，未在小程序中同意接收此类通知", "invalid_message": "通知内容不完整", "no_template": "未配置消息模板",
	"no_recipient": "没有接收人", "send_error": "发送出错", "booking_cancelled": "预约已取消", "booking_not_confirmed": "预约尚未确认",
	"booking_not_waiting": "已不在候补名单", "waiting_for_earlier": "等待先前的通知", "people_unavailable": "暂时无法读取用户信息",
	"outbox_unavailable": "暂时无法读取通知", "check_unavailable": "暂时无法核对预约", "interrupted": "发送被中断", "fan_out_failed": "分发失败",
	"unknown_channel": "发送渠道配置有误", "fanned_out": "已分发给各管理员",
}

// ReasonText is how staff read a delivery reason: WeChat's error codes as
// 微信返回错误码 40003, the others in words.
func ReasonText(reason string) string {
	if code, ok := strings.CutPrefix(reason, "errcode_"); ok {
		return "微信返回错误码 " + code
	}
	if t, ok := reasonTexts[reason]; ok {
		return t
	}
	return "其他原因"
}

// placeholder is a {key} in a text. (Not text/template: it would add 5 MB to every
// function's binary, for string substitution.)
var placeholder = regexp.MustCompile(`\{(\w+)\}`)

// Known reports whether kind is a known kind of message.
func Known(kind string) bool { _, ok := texts[kind]; return ok }

// Text renders a message as the Chinese text a person reads: each {key} of its kind's
// text becomes Data[key] (missing data becomes nothing). It fails for an unknown kind.
func Text(m Message) (string, error) {
	src, ok := texts[m.Kind]
	if !ok {
		return "", fmt.Errorf("render %s: %w", m.Kind, ErrUnknownKind)
	}
	s := placeholder.ReplaceAllStringFunc(src, func(p string) string { return m.Data[p[1:len(p)-1]] })
	// Missing data must not leave doubled punctuation behind.
	return strings.NewReplacer("，，", "，", "，。", "。", "：，", "：").Replace(strings.TrimSpace(s)), nil
}

// Template is how a kind is sent as a WeChat template (or subscribe) message: the
// template's id and, for each of its fields (thing1, time2, …), the data key whose value
// fills it. Since the 2023 rules there are no first/remark fields.
type Template struct {
	Channel    string            `json:"channel"` // "template" (default) or "subscribe"
	TemplateID string            `json:"templateId"`
	Fields     map[string]string `json:"fields"`
	// Mini is the kind as the mini program's subscribe message, for people known only
	// through the mini program (its templateId, fields and page, a page of the mini
	// program); absent: they are not sent this kind.
	Mini *Template `json:"mini,omitempty"`
	Page string    `json:"page,omitempty"` // a mini program template's page
}

// Fill returns the template's field values for a message; a field whose data key is
// missing gets "-" (WeChat refuses empty values). Values are cut to 20 characters, the
// limit of "thing" fields.
func (t Template) Fill(m Message) map[string]string {
	out := make(map[string]string, len(t.Fields))
	for field, key := range t.Fields {
		v := strings.TrimSpace(m.Data[key])
		if v == "" {
			v = "-"
		}
		if r := []rune(v); len(r) > 20 {
			v = string(r[:19]) + "…"
		}
		out[field] = v
	}
	return out
}

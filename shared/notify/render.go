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
	"volunteer_applied":        "新的志愿者申请：{name}，请及时审核。",
	"volunteer_status_changed": "您的志愿者状态已变更为：{statusText}。{reason}",
	"volunteer_reconfirm":      "请在 {reconfirmByText} 前进入“我的志愿”完成年度确认，以保持在册状态。",
	"shift_reminder":           "志愿服务提醒：{activity} 将于 {time} 在 {venue} 开始，请扫描现场二维码签到。",
	"capacity_reached":         "名额已满提醒：{activity}（{time}）已约满。",
	"low_rating":               "差评提醒：{activityTitle} 收到 {score} 星评价。{comment}",
	"feedback_ticket":          "新的群众意见（{category}），请在 {due} 前答复，编号 {ticketId}。",
	"feedback_reply":           "您提交的意见已收到答复：{reply}",
	"feedback_overdue":         "意见处理超时：编号 {ticketId} 的群众意见已超过答复期限，请尽快处理。",
	"custom_text":              "{text}",
	"delivery_failed":          "通知发送失败：{detail}（原因：{reason}），请在后台查看。",
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

package account

import (
	"context"
	"time"

	"github.com/wentitong/wentitong/shared/fault"
)

// A purpose is a use of a person's data that they may refuse: being sent messages about
// their bookings and services, and having the location WeChat reports kept.
const (
	PurposeMessages = "messages"
	PurposeLocation = "location"
)

// Purpose is what a person agrees to or withdraws, with the text they are shown and its
// version: a change of the text is a new version.
type Purpose struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Text    string `json:"text"`
	Version string `json:"version"`
	// Default is what holds before the person decided, and why.
	Default string `json:"default"`
	// Withdrawn says what stops when consent is withdrawn.
	Withdrawn string `json:"withdrawn"`
}

// Purposes are the purposes, in the order pages list them.
var Purposes = []Purpose{
	{ID: PurposeMessages, Name: "预约和服务通知", Version: "messages-v1",
		Text:      "我同意“文化株洲”通过微信服务通知（模板消息、小程序订阅消息）告诉我预约结果、候补递补、活动变更和开场提醒，以及志愿服务和意见回复的进展。",
		Default:   "预约时默认发送：这些通知是您办理的事情的结果，不含广告。",
		Withdrawn: "撤回后不再给您发送任何服务通知（已经发出的无法收回），预约结果请自己在「我的预约」查看；资讯订阅另在「我的订阅」管理。"},
	{ID: PurposeLocation, Name: "位置信息", Version: "location-v1",
		Text:      "我同意“文化株洲”保存微信上报的我的最近一次位置，只用于志愿服务扫码签到时核对我是否在服务地点附近。",
		Default:   "您在微信里允许公众号获取位置后，平台保存最近一次位置，24 小时后自动删除。",
		Withdrawn: "撤回后立即删除已保存的位置，以后微信上报的位置也不再保存；志愿服务签到改由现场负责人确认。"},
}

// PurposeOf returns the purpose with id.
func PurposeOf(id string) (Purpose, bool) {
	for _, p := range Purposes {
		if p.ID == id {
			return p, true
		}
	}
	return Purpose{}, false
}

// Consent is a person's decision on a purpose: granted or withdrawn, the version of the
// text they decided on, when and where (h5, api).
type Consent struct {
	Purpose string    `json:"purpose"`
	Granted bool      `json:"granted"`
	Version string    `json:"version"`
	At      time.Time `json:"at"`
	Channel string    `json:"channel"`
}

// Consents keeps people's decisions: the current one on the profile, where the uses
// read it, and every one in the person's consent log.
type Consents interface {
	// Consents returns the person's current decisions (purposes never decided are
	// missing) and their log of every decision, newest first.
	Consents(ctx context.Context, person string) (current map[string]Consent, log []Consent, err error)
	// SetConsent records c as the person's current decision and in their log, in one
	// transaction; a withdrawal of PurposeLocation deletes the location kept with it.
	SetConsent(ctx context.Context, person string, c Consent) error
}

// ErrGrantedMissing refuses a decision that does not say whether it agrees.
var ErrGrantedMissing = fault.New(fault.Invalid, "granted_required", "请说明是同意还是撤回")

// ErrPurposeUnknown refuses a decision on a purpose that does not exist.
var ErrPurposeUnknown = fault.New(fault.NotFound, "purpose_unknown", "没有这项授权，请从列表中选择")

// Decide records person's decision on purpose (the current version of its text).
// Errors: ErrPurposeUnknown.
func Decide(ctx context.Context, consents Consents, person, purpose string, granted bool, channel string, now time.Time) (Consent, error) {
	p, ok := PurposeOf(purpose)
	if !ok {
		return Consent{}, ErrPurposeUnknown
	}
	c := Consent{Purpose: p.ID, Granted: granted, Version: p.Version, At: now.UTC(), Channel: channel}
	return c, consents.SetConsent(ctx, person, c)
}

package resident

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"

	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/h5"
)

// nextSteps says, for each refusal a resident can meet on these pages, what to do next
// (the domain's message says what happened). A code missing here gets the generic next
// step of its kind (h5.Site.Error).
var nextSteps = map[string]h5.Refusal{
	"slot_full":           {Message: "名额已满。可以选择其他场次；未设座位的场次可在场次页选择「候补」，有人取消时按排队顺序递补并通知您。"},
	"already_booked":      {Message: "您已预约过该场次，电子票在「我的预约」里。", Link: h5.Prefix + "/me/bookings", LinkText: "查看我的预约"},
	"window_closed":       {Message: "现在不在该场次的预约时间内。请查看场次页上的预约时间，或选择其他场次。"},
	"limit_reached":       {Message: "您已达到该活动的每人预约上限。如需改约，请先在「我的预约」取消原来的预约。", Link: h5.Prefix + "/me/bookings", LinkText: "查看我的预约"},
	"not_eligible":        {Message: "该场次仅限指定地区的居民预约。请选择您所在地区的场次。"},
	"slot_cancelled":      {Message: "该场次已被主办方取消。请选择其他场次。"},
	"party_size_invalid":  {Message: "预约人数超过了该场次的上限。请返回减少人数后再提交。"},
	"slot_not_found":      {Message: "找不到该场次，可能已经下线。请返回首页查看其他场次。"},
	"activity_not_found":  {Message: "找不到该活动，可能已经下线。请返回首页查看其他活动。"},
	"booking_not_found":   {Message: "找不到这条预约。请在「我的预约」查看您的全部预约。", Link: h5.Prefix + "/me/bookings", LinkText: "查看我的预约"},
	"cancellation_closed": {Message: "已过取消截止时间，不能在网上取消了。如不能到场，请联系场馆说明情况。", Link: h5.Prefix + "/me/bookings", LinkText: "返回我的预约"},
	"seat_taken":          {Message: "您选的座位刚被别人订走了。请返回重新选座。"},
	"seat_invalid":        {Message: "座位选择有误：座位数须与人数相同。请返回重新选座。"},
	"query_invalid":       {Message: "筛选条件无效，已无法查询。请返回首页重新选择。"},
	"suspended":           {Message: "如有疑问，请在「建议/反馈」中联系我们。", Link: h5.Prefix + "/feedback", LinkText: "去反馈"}, // after the end date
	"ticket_invalid":      {Message: "电子票无效。请在「我的预约」重新打开电子票。", Link: h5.Prefix + "/me/bookings", LinkText: "查看我的预约"},
}

// refuse renders err's refusal: the next step for its code when there is one (after the
// domain's own sentence where that carries facts, such as a suspension's end).
func (p *Pages) refuse(w http.ResponseWriter, r *http.Request, err error) {
	fe := fault.As(err)
	ref, ok := nextSteps[fe.Code]
	if !ok {
		p.Site.Error(w, r, err)
		return
	}
	if fe.Code == "suspended" {
		ref.Message = h5.Sentence(fe.Message) + ref.Message
	}
	p.Site.Refuse(w, r, err, ref)
}

// sortRows orders sessions soonest first (stable: the listing's order among equals).
func sortRows(rows []SlotRow) {
	slices.SortStableFunc(rows, func(a, b SlotRow) int { return cmp.Compare(a.StartsAt.UnixNano(), b.StartsAt.UnixNano()) })
}

func itoa(n int) string { return strconv.Itoa(n) }

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
	"slot_full":            {Message: "名额已满。可以选择其他场次；未设座位的场次可在场次页选择「候补」，有人取消时按排队顺序递补并通知您。"},
	"already_booked":       {Message: "您已预约过该场次，电子票在「我的预约」里。", Link: h5.Prefix + "/me/bookings", LinkText: "查看我的预约"},
	"window_closed":        {Message: "现在不在该场次的预约时间内。请查看场次页上的预约时间，或选择其他场次。"},
	"limit_reached":        {Message: "您已达到该活动的每人预约上限。如需改约，请先在「我的预约」取消原来的预约。", Link: h5.Prefix + "/me/bookings", LinkText: "查看我的预约"},
	"id_number_required":   {Message: "本场次为实名制，须填写入场者（您本人或所选家人）的身份证号码。请返回场次页，在「身份证号码」里填写后再提交。"},
	"id_number_invalid":    {Message: "身份证号码有误（18 位，最后一位可能是 X）。请返回场次页核对后重新填写。"},
	"id_number_mismatch":   {Message: "这个身份证号码与已登记的号码（或家人的出生年份）不一致。请返回场次页核对；如家人信息有误，可在「我的家人」里删除后重新添加。", Link: h5.Prefix + "/me/family", LinkText: "管理我的家人"},
	"id_number_taken":      {Message: "这个身份证号码已经预约了本场次（可能是其他家人为TA预约的），同一证件每个场次只能预约一次。如需改由您预约，请先请对方取消原来的预约。", Link: h5.Prefix + "/me/bookings", LinkText: "查看我的预约"},
	"not_eligible":         {Message: "该场次仅限指定地区的居民预约。请选择您所在地区的场次。"},
	"slot_cancelled":       {Message: "该场次已被主办方取消。请选择其他场次。"},
	"party_size_invalid":   {Message: "预约人数超过了该场次的上限。请返回减少人数后再提交。"},
	"real_name_one_person": {Message: "实名制场次每次只能预约一人（凭各自的身份证入场）。请返回场次页为自己或一位家人预约，其他家人请分别预约。"},
	"slot_not_found":       {Message: "找不到该场次，可能已经下线。请返回首页查看其他场次。"},
	"activity_not_found":   {Message: "找不到该活动，可能已经下线。请返回首页查看其他活动。"},
	"booking_not_found":    {Message: "找不到这条预约。请在「我的预约」查看您的全部预约。", Link: h5.Prefix + "/me/bookings", LinkText: "查看我的预约"},
	"cancellation_closed":  {Message: "已过取消截止时间，不能在网上取消了。如不能到场，请联系场馆说明情况。", Link: h5.Prefix + "/me/bookings", LinkText: "返回我的预约"},
	"seat_taken":           {Message: "您选的座位刚被别人订走了。请返回重新选座。"},
	"seat_invalid":         {Message: "座位选择有误：座位数须与人数相同。请返回重新选座。"},
	"query_invalid":        {Message: "筛选条件无效，已无法查询。请返回首页重新选择。"},
	"suspended":            {Message: "如有疑问，请在「建议/反馈」中联系我们。", Link: h5.Prefix + "/feedback", LinkText: "去反馈"}, // after the end date
	"not_a_volunteer":      {Message: "您还没有注册成为志愿者。请先填写志愿者注册。", Link: h5.Prefix + "/me/volunteer", LinkText: "去注册"},
	"volunteer_not_active": {Message: "只有审核通过（在册）的志愿者可以报名班次。审核结果出来后再来报名。", Link: h5.Prefix + "/me/volunteer", LinkText: "查看我的志愿者状态"},
	"shift_full":           {Message: "该班次名额已满。请选择其他班次。", Link: h5.Prefix + "/me/volunteer", LinkText: "查看其他班次"},
	"already_signed_up":    {Message: "您已经报名了这个班次。", Link: h5.Prefix + "/me/volunteer", LinkText: "查看我的班次"},
	"not_signed_up":        {Message: "您没有报名这个班次，无需退出。", Link: h5.Prefix + "/me/volunteer", LinkText: "返回志愿者页面"},
	"signup_closed":        {Message: "该班次已经开始，不能再报名了。请选择其他班次。", Link: h5.Prefix + "/me/volunteer", LinkText: "查看其他班次"},
	"withdraw_closed":      {Message: "已过退出报名的截止时间（开始前 2 小时）。如确实不能到场，请联系班次负责人。", Link: h5.Prefix + "/me/volunteer", LinkText: "返回志愿者页面"},
	"already_checked_in":   {Message: "您已在该班次签到，不能再退出。", Link: h5.Prefix + "/me/volunteer", LinkText: "返回志愿者页面"},
	"category_required":    {Message: "该班次只接受特定类别的志愿者报名。请选择其他班次。", Link: h5.Prefix + "/me/volunteer", LinkText: "查看其他班次"},
	"shift_not_found":      {Message: "找不到该班次，可能已经取消。", Link: h5.Prefix + "/me/volunteer", LinkText: "查看其他班次"},
	"already_applied":      {Message: "您已经提交过志愿者申请，不用重复提交。", Link: h5.Prefix + "/me/volunteer", LinkText: "查看申请状态"},
	"already_rated":        {Message: "您已经评价过这项活动，谢谢您的评价！", Link: h5.Prefix + "/me/bookings", LinkText: "返回我的预约"},
	"not_attended":         {Message: "参加活动（检票入场）并且活动结束后才能评价。", Link: h5.Prefix + "/me/bookings", LinkText: "返回我的预约"},
	"poll_closed":          {Message: "这次投票已经截止，谢谢关注。下次投票开始时会通知村里。"},
	"already_voted":        {Message: "您已经投过票了，每人只能投一次。谢谢参与！"},
	"choice_invalid":       {Message: "请在列表中选一部影片再提交。"},
	"poll_not_found":       {Message: "找不到这次投票，可能已经结束。请返回首页。"},
	"venue_not_found":      {Message: "找不到该场馆，可能已经调整。请返回首页查看其他场馆。"},
	"outside_geofence":     {Message: "您现在不在放映点附近（500 米内），无法核验。请到放映现场再提交。"},
	"not_a_screening":      {Message: "该场次不是电影放映，或不在放映时间（开场前 1 小时到结束后 2 小时）内。"},
	"screening_verified":   {Message: "这场放映已经核验过了，无需重复提交。"},
	"feedback_invalid":     {Message: "请写下您的意见（1 到 1000 字），并选择类别。", Link: h5.Prefix + "/feedback", LinkText: "返回填写"},
	"survey_not_found":     {Message: "找不到这份调查，可能已经撤下。请返回首页。"},
	"survey_closed":        {Message: "这份调查已经结束，感谢您的关注。"},
	"survey_answered":      {Message: "您已经填写过这份调查，每人只填一次。谢谢参与！"},
	"survey_not_invited":   {Message: "本次调查只请随机抽中的近期参加活动的居民填写，感谢您的关注。"},
	"erase_unconfirmed":    {Message: "为防止误操作，请在输入框里输入“注销”两个字，再点确认。", Link: h5.Prefix + "/me/erase", LinkText: "返回注销账号"},
	"purpose_unknown":      {Message: "没有这项授权。请返回「同意与授权」重新选择。", Link: h5.Prefix + "/me/consents", LinkText: "返回同意与授权"},
	"granted_required":     {Message: "请返回「同意与授权」，点页面上的按钮操作。", Link: h5.Prefix + "/me/consents", LinkText: "返回同意与授权"},
	"takeover_not_found":   {Message: "这个链接已过期、已经用过或不完整。请让为您预约的家人在「我的家人」里点「让TA自己管理」，重新生成一个链接发给您（7 天内有效）。"},
	"takeover_used":        {Message: "这个链接已经被另一个微信用过了，每个链接只能用一次。如有疑问，请联系为您生成链接的家人。"},
	"takeover_self":        {Message: "这是您为家人生成的链接，您自己不能使用。请把链接或二维码发给这位家人，让TA用自己的微信打开并确认。", Link: h5.Prefix + "/me/family", LinkText: "返回我的家人"},
	"takeover_unconfirmed": {Message: "还没有确认。请返回上一页，点「确认，由我自己管理」按钮。"},
	"ticket_invalid":       {Message: "电子票无效。请在「我的预约」重新打开电子票。", Link: h5.Prefix + "/me/bookings", LinkText: "查看我的预约"},
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

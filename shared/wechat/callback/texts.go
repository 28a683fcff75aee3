package callback

import (
	"fmt"
	"strings"
	"time"

	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/directory"

	"github.com/wentitong/wentitong/shared/booking"
)

// The chat's texts, in Simplified Chinese. WeChat shows <a href> links in text replies.

const welcomeText = `欢迎关注「文化株洲」！
在这里可以预约电影放映、文化活动、健身课程和阅读活动，报名文化志愿服务，查找身边的文化场馆。

· 底部菜单「文化活动」：浏览和预约
· 菜单「我的」：我的预约、志愿服务
· 发送位置：查看附近的文化场馆
· 回复关键词：电影、活动、健身、阅读、我的预约、志愿、建议+内容、搜+内容`

const helpText = `您好！回复以下关键词即可：
电影 — 近期电影放映
活动 — 近期文化活动
健身 — 健身课程
阅读 — 阅读活动和阅览室座位
我的预约 — 查看我的预约
志愿 — 文化志愿服务
建议+内容 — 提交意见建议
搜+内容 — 搜索馆藏资源、资讯、活动和场馆，例如：搜 醴陵瓷器
发送位置 — 查找附近的文化场馆`

const (
	badLocationText      = "无法识别该位置，请重新发送。"
	nearbyPrompt         = "请点击输入框旁的「+」，选择「位置」发送给我们，即可查看离您最近的文化场馆。"
	feedbackPrompt       = "请在「建议」后写下您的意见，例如：建议 图书馆周末延长开放时间"
	feedbackThanks       = "感谢您的建议！我们已登记（编号 %s），工作人员会尽快处理并回复。"
	feedbackClosedText   = "感谢您的建议！意见登记暂未开通，请稍后再试。"
	bookingsLinkText     = "查看和管理您的预约：<a href=\"%s\">我的预约</a>"
	mapLinkText          = "查看附近的文化场馆：<a href=\"%s\">文化地图</a>"
	checkinClosedText    = "检票功能暂未开放，请使用现场检票设备。"
	checkedInText        = "检票成功：%d 人入场（预约 %s）。"
	sceneUnknownText     = "无法识别该二维码，请确认扫描的是「文化株洲」发布的二维码。"
	sceneExpiredText     = "该二维码已过期，请向现场工作人员索取新的二维码。"
	sceneUnavailableText = "该二维码对应的服务暂未开放，请联系现场工作人员。"
)

// maxListed is how many slots, bookings or venues a reply lists: WeChat cuts passive
// text replies at 2048 bytes.
const maxListed = 5

// kindNames are the kinds as residents call them.
var kindNames = map[booking.Kind]string{
	booking.KindEvent:   "文化活动",
	booking.KindFilm:    "电影放映",
	booking.KindFitness: "健身课程",
	booking.KindReading: "阅读活动",
}

func clock(t time.Time) string { return beijing.Short(t) }

type listing struct {
	title string
	slot  booking.Slot
}

func upcomingText(kind booking.Kind, lines []listing, links Links) string {
	name := kindNames[kind]
	if len(lines) == 0 {
		return fmt.Sprintf("近期暂无%s场次，敬请关注。", name)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "近期%s：", name)
	for i, l := range lines {
		left := l.slot.Remaining()
		status := fmt.Sprintf("剩余 %d 个名额", left)
		if left <= 0 {
			status = "已满，可候补"
		}
		fmt.Fprintf(&b, "\n%d. %s\n   %s · %s · <a href=\"%s\">预约</a>", i+1, l.title, clock(l.slot.StartsAt), status, links.Activity(l.slot.ActivityID))
	}
	fmt.Fprintf(&b, "\n更多场次：<a href=\"%s\">点此查看</a>", links.Activities(string(kind)))
	return b.String()
}

func bookingsText(lines []BookingLine, links Links) string {
	if len(lines) == 0 {
		return fmt.Sprintf("您目前没有待参加的预约。回复「活动」「电影」「健身」「阅读」看看近期安排。\n<a href=\"%s\">我的预约</a>", links.MyBookings())
	}
	var b strings.Builder
	b.WriteString("您的预约：")
	for i, l := range lines {
		if i == maxListed {
			break
		}
		fmt.Fprintf(&b, "\n%d. %s\n   %s · %s", i+1, l.Title, clock(l.StartsAt), l.statusText())
	}
	fmt.Fprintf(&b, "\n查看电子票和取消预约：<a href=\"%s\">我的预约</a>", links.MyBookings())
	return b.String()
}

// statusText is the booking's status as a person reads it, with its details: 已预约，2 人;
// 候补中，第 3 位.
func (l BookingLine) statusText() string {
	switch l.Status {
	case booking.StatusConfirmed:
		return fmt.Sprintf("%s，%d 人", l.Status.Text(), l.PartySize)
	case booking.StatusWaitlisted:
		return fmt.Sprintf("%s，第 %d 位", l.Status.Text(), l.Position)
	}
	return l.Status.Text()
}

// screeningText asks the projectionist who scanned a screening's code to verify it.
func screeningText(slot booking.Slot, link string) string {
	return fmt.Sprintf("放映核验：%s，%s。请在页面中确认定位并填写到场人数：<a href=\"%s\">核验放映</a>", slot.Title, clock(slot.StartsAt), link)
}

func volunteerText(s *VolunteerSummary, links Links) string {
	if s == nil {
		return fmt.Sprintf("文化志愿者和社会体育指导员是株洲公共文化服务的重要力量。"+
			"实名报名、经所在区县审核后，即可报名服务岗位，到岗扫码签到签退，服务时长自动累计，可查看服务记录证明。\n"+
			"立即报名：<a href=\"%s\">志愿服务</a>", links.Volunteer())
	}
	return fmt.Sprintf("您的志愿者状态：%s\n服务时长：%.1f 小时（荣誉时长 %.1f 小时）\n报名岗位、查看记录：<a href=\"%s\">志愿服务</a>",
		s.Status, s.CreditHours, s.HonourHours, links.Volunteer())
}

func nearbyText(hits []directory.VenueDistance, loc Location, links Links) string {
	if len(hits) == 0 {
		return fmt.Sprintf("附近暂未找到文化场馆。查看文化地图：<a href=\"%s\">文化地图</a>", links.Map(loc.Lat, loc.Lng))
	}
	var b strings.Builder
	b.WriteString("离您最近的文化场馆：")
	for i, h := range hits {
		fmt.Fprintf(&b, "\n%d. %s（%s）", i+1, h.Name, distance(float64(h.DistanceMeters)))
		if h.Address != "" {
			fmt.Fprintf(&b, "\n   %s", h.Address)
		}
	}
	fmt.Fprintf(&b, "\n查看文化地图：<a href=\"%s\">文化地图</a>", links.Map(loc.Lat, loc.Lng))
	return b.String()
}

func distance(m float64) string {
	if m < 1000 {
		return fmt.Sprintf("%d 米", int(m+0.5)/10*10)
	}
	return fmt.Sprintf("%.1f 公里", m/1000)
}

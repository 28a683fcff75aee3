package directory

import (
	"fmt"
	"strings"
)

// NearestReply is the chat answer to a LOCATION message: the venues found by Nearest,
// numbered, each with its distance, address and opening hours, in at most 2,000
// characters (a WeChat text reply's comfortable length).
func NearestReply(vs []VenueDistance) string {
	if len(vs) == 0 {
		return "附近 50 公里内暂未收录文化场馆。可发送其他位置，或在菜单中查看全市场馆地图。"
	}
	var b strings.Builder
	b.WriteString("离您最近的文化场馆：")
	for i, v := range vs {
		line := fmt.Sprintf("\n%d. %s（%s）", i+1, v.Name, distanceText(v.DistanceMeters))
		if v.Address != "" {
			line += "\n   地址：" + v.Address
		}
		if v.OpeningHours != "" {
			line += "\n   开放：" + v.OpeningHours
		}
		if len([]rune(b.String()+line)) > 2000 {
			break
		}
		b.WriteString(line)
	}
	return b.String()
}

// distanceText writes metres as people read them: "850米", "2.2公里", "15公里".
func distanceText(m int) string {
	switch {
	case m < 1000:
		return fmt.Sprintf("%d米", m)
	case m < 10_000:
		return fmt.Sprintf("%.1f公里", float64(m)/1000)
	default:
		return fmt.Sprintf("%d公里", (m+500)/1000)
	}
}

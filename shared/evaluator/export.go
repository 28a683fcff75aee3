package evaluator

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/evaluation"
)

// The datasets an evaluator may export.
const (
	DatasetRatings    = "ratings"
	DatasetFeedback   = "feedback"
	DatasetAttendance = "attendance"
)

// Datasets lists them.
var Datasets = []string{DatasetRatings, DatasetFeedback, DatasetAttendance}

// Column is one column of an export: its key (JSON) and its heading (CSV).
type Column struct {
	Key     string `json:"key"`
	Heading string `json:"heading"`
}

// Export is one de-identified download: a table of strings. No column holds a person's
// openid, name, phone or identity number, nor any free text a person wrote (where they
// may have put any of those): residents appear only as the grant's pseudonyms.
type Export struct {
	Dataset     string     `json:"dataset"`
	DistrictID  string     `json:"districtId"`
	From        string     `json:"from"`
	To          string     `json:"to"`
	GeneratedAt time.Time  `json:"generatedAt"`
	Columns     []Column   `json:"columns"`
	Rows        [][]string `json:"rows"`
}

// Filename is the name the export's CSV downloads under: dataset, district and dates.
func (e Export) Filename() string {
	return fmt.Sprintf("%s-%s-%s-%s.csv", e.Dataset, e.DistrictID, e.From, e.To)
}

// CSV writes the export for Excel: UTF-8 with a byte-order mark, Chinese headings.
func (e Export) CSV() []byte {
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	w := csv.NewWriter(&buf)
	head := make([]string, len(e.Columns))
	for i, c := range e.Columns {
		head[i] = c.Heading
	}
	_ = w.Write(head)
	_ = w.WriteAll(e.Rows) // flushes; writes to a buffer do not fail
	return buf.Bytes()
}

var (
	ratingColumns = []Column{
		{"date", "日期"}, {"activityId", "活动编号"}, {"activity", "活动"}, {"kind", "类型"},
		{"venueId", "场馆编号"}, {"venue", "场馆"}, {"districtId", "区划代码"}, {"district", "区划"},
		{"score", "评分"}, {"rater", "评价人代号"},
	}
	feedbackColumns = []Column{
		{"date", "提交日期"}, {"category", "类别"}, {"venueId", "场馆编号"}, {"venue", "场馆"},
		{"districtId", "区划代码"}, {"district", "区划"}, {"status", "状态"}, {"dueAt", "答复期限"},
		{"repliedAt", "答复时间"}, {"onTime", "按时答复"}, {"responseHours", "答复用时（小时）"},
		{"source", "来源"}, {"author", "提交人代号"},
	}
	attendanceColumns = []Column{
		{"date", "日期"}, {"time", "开始时间"}, {"activityId", "活动编号"}, {"activity", "活动"}, {"kind", "类型"},
		{"venueId", "场馆编号"}, {"venue", "场馆"}, {"districtId", "区划代码"}, {"district", "区划"},
		{"partySize", "人数"}, {"status", "预约状态"}, {"attended", "到场"}, {"resident", "居民代号"},
	}
)

// kindTexts names the activities' kinds.
var kindTexts = map[booking.Kind]string{booking.KindEvent: "文化活动", booking.KindFilm: "电影放映", booking.KindFitness: "健身课程", booking.KindReading: "阅读活动"}

var sourceTexts = map[string]string{"h5": "网页", "chat": "公众号对话"}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

// session is a slot with where it was held.
type session struct {
	slot     booking.Slot
	activity booking.Activity
	district directory.District
	venue    directory.Venue
}

func (s session) cells() []string {
	return []string{s.activity.ID, s.activity.Title, kindTexts[s.activity.Kind], s.venue.ID, s.venue.Name, s.district.ID, s.district.Name}
}

// attendanceRows are the counted bookings (confirmed, or released as no-shows) of the
// sessions, by date.
func attendanceRows(g Grant, sessions []session, bookings map[string][]booking.Booking) [][]string {
	rows := [][]string{}
	for _, s := range sessions {
		start := s.slot.StartsAt.In(beijing.Zone)
		for _, b := range bookings[s.slot.ID] {
			status := ""
			switch {
			case b.Status == booking.StatusConfirmed:
				status = booking.StatusTexts[booking.StatusConfirmed]
			case b.Status == booking.StatusCancelled && b.CancelledBy == booking.ByNoShow:
				status = "未到场已释放"
			default:
				continue
			}
			row := append([]string{start.Format("2006-01-02"), start.Format("15:04")}, s.cells()...)
			rows = append(rows, append(row, strconv.Itoa(b.PartySize), status, yesNo(!b.CheckedInAt.IsZero()), g.Pseudonym(b.OpenID)))
		}
	}
	return rows
}

// ratingRows are the ratings of the sessions' activities made in [from, to).
func ratingRows(g Grant, sessions []session, ratings map[string][]evaluation.Rating, from, to time.Time) [][]string {
	rows := [][]string{}
	seen := map[string]bool{}
	for _, s := range sessions {
		if seen[s.activity.ID] {
			continue
		}
		seen[s.activity.ID] = true
		for _, r := range ratings[s.activity.ID] {
			if r.CreatedAt.Before(from) || !r.CreatedAt.Before(to) {
				continue
			}
			row := append([]string{r.CreatedAt.In(beijing.Zone).Format("2006-01-02")}, s.cells()...)
			rows = append(rows, append(row, strconv.Itoa(r.Score), g.Pseudonym(r.OpenID)))
		}
	}
	slices.SortStableFunc(rows, func(a, b []string) int { return cmp.Compare(a[0], b[0]) })
	return rows
}

// feedbackRows are the tickets filed in [from, to), as of now.
func feedbackRows(g Grant, tickets []evaluation.Ticket, x directory.Index, now time.Time) [][]string {
	rows := [][]string{}
	for _, t := range tickets {
		d, _ := x.Place(t.DistrictID, "")
		v := x.Venues[t.VenueID]
		onTime, hours, replied := "未到期", "", ""
		switch {
		case t.Status == evaluation.TicketAnswered:
			onTime = yesNo(!t.RepliedAt.After(t.DueAt))
			hours = strconv.FormatFloat(float64(t.RepliedAt.Sub(t.CreatedAt).Round(6*time.Minute))/float64(time.Hour), 'f', 1, 64)
			replied = t.RepliedAt.In(beijing.Zone).Format("2006-01-02 15:04")
		case t.Overdue(now):
			onTime = "否"
		}
		rows = append(rows, []string{
			t.CreatedAt.In(beijing.Zone).Format("2006-01-02"), evaluation.CategoryTexts[t.Category], t.VenueID, v.Name,
			d.ID, d.Name, evaluation.TicketTexts[t.Status], t.DueAt.In(beijing.Zone).Format("2006-01-02 15:04"),
			replied, onTime, hours, sourceTexts[t.Source], g.Pseudonym(t.OpenID),
		})
	}
	slices.SortStableFunc(rows, func(a, b []string) int { return cmp.Compare(a[0], b[0]) })
	return rows
}

// Package demo seeds the local runner's table with a small, realistic Zhuzhou: its
// districts, a dozen venues, some activities of each kind with slots in the coming days,
// and staff accounts. It is kept modest on purpose: the embedded engine's transactions
// slow down as the table grows.
package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/directory"
)

// Summary says what Seed wrote and which dev openids to act as.
type Summary struct {
	Districts, Venues, Activities, Slots int
	Ratings, Teams, Figures              int
	Collections, Items, Media, News      int
	Residents, Staff                     []string
	// History is what the demo's recent past did through the services.
	History History
}

// Seed writes the demo data through the app's stores (so it passes the same validation
// as anything staff create) and returns what it wrote: SeedBase, then ratings, teams,
// figures, and a recent past made through the services (bookings, check-ins,
// volunteers, training), from which the platform's own counting makes the reports. It
// needs the app's TICKET_SIGNING_KEY and SESSION_SECRET.
func Seed(ctx context.Context, a *app.App) (Summary, error) {
	s, err := SeedBase(ctx, a)
	if err != nil {
		return s, err
	}
	// The first demo resident lives in 湖塘村, so that the village's screening (limited
	// to 群丰镇's residents) can be booked as them.
	if _, err := a.People.SignedIn(ctx, s.Residents[0], a.Now()); err != nil {
		return s, fmt.Errorf("seed home: %w", err)
	}
	if err := a.People.SetHome(ctx, s.Residents[0], "", "430211100201", a.Now()); err != nil {
		return s, fmt.Errorf("seed home: %w", err)
	}
	for _, c := range appointees {
		d, err := a.Directory.District(ctx, c.districtID)
		if err != nil {
			return s, fmt.Errorf("seed appointee %s: %w", c.openid, err)
		}
		if err := a.Volunteers.Appoint(ctx, c.openid, c.role, d, a.Now()); err != nil {
			return s, fmt.Errorf("seed appointee %s: %w", c.openid, err)
		}
	}
	if err := seedEvaluation(ctx, a, &s); err != nil {
		return s, err
	}
	s.History, err = seedHistory(ctx, a)
	return s, err
}

// SeedBase writes the districts, venues, activities, slots and staff roles only (no
// appointments to districts): the base that tests of one feature build on.
func SeedBase(ctx context.Context, a *app.App) (Summary, error) {
	var s Summary
	for _, d := range districts() {
		if err := a.Directory.PutDistrict(ctx, d); err != nil {
			return s, fmt.Errorf("seed district %s: %w", d.Name, err)
		}
		s.Districts++
	}
	for _, v := range venues {
		if err := a.Directory.PutVenue(ctx, v); err != nil {
			return s, fmt.Errorf("seed venue %s: %w", v.Name, err)
		}
		s.Venues++
	}
	now := a.Now()
	for _, act := range activities {
		act.Activity.CreatedAt = now
		if err := a.Catalog.PutActivity(ctx, act.Activity); err != nil {
			return s, fmt.Errorf("seed activity %s: %w", act.Title, err)
		}
		s.Activities++
		for i, when := range act.slots {
			slot := when.slot(now, act.Activity, i)
			// A ballot slot commits to its draw's secret before it is written.
			if err := (&booking.Service{Ballots: a.Bookings}).OpenBallot(ctx, &slot); err != nil {
				return s, fmt.Errorf("seed ballot %s: %w", slot.ID, err)
			}
			if err := a.Catalog.PutSlot(ctx, slot); err != nil {
				return s, fmt.Errorf("seed slot %s: %w", slot.ID, err)
			}
			s.Slots++
		}
	}
	for _, p := range staff {
		if err := a.People.GrantRoles(ctx, p.openid, p.roles, now); err != nil {
			return s, fmt.Errorf("seed staff %s: %w", p.openid, err)
		}
		s.Staff = append(s.Staff, p.openid)
	}
	s.Residents = slices.Clone(Residents)
	return s, nil
}

// Residents are the demo's residents: they have no profile until they first act.
var Residents = []string{"o-resident-1", "o-resident-2", "o-resident-3"}

// Staff returns the openids of the demo's staff accounts.
func Staff() []string {
	out := make([]string, len(staff))
	for i, p := range staff {
		out[i] = p.openid
	}
	return out
}

var staff = []struct {
	openid string
	roles  []string
}{
	{"o-staff-library", []string{auth.RoleStaff}},
	{"o-coordinator-youxian", []string{auth.RoleCoordinator}},
}

// appointees look after a district's subtree: coordinators are told of volunteer
// applications there and approve them; staff and coordinators create shifts.
var appointees = []struct{ openid, role, districtID string }{
	{"o-coordinator-youxian", auth.RoleCoordinator, "430223"}, // 攸县
	{"o-staff-library", auth.RoleStaff, "430211"},             // 天元区 (the city library)
}

// districts is Zhuzhou's nine county-level divisions with a few townships and villages
// under some of them (codes follow the national administrative division codes).
func districts() []directory.District {
	city := directory.Root("430200", "株洲市")
	out := []directory.District{city}
	for _, c := range []struct {
		id, name string
		towns    [][2]string
	}{
		{"430202", "荷塘区", [][2]string{{"430202001", "月塘街道"}, {"430202002", "茨菇塘街道"}, {"430202003", "宋家桥街道"}}},
		{"430203", "芦淞区", [][2]string{{"430203001", "建设街道"}, {"430203002", "贺家土街道"}}},
		{"430204", "石峰区", [][2]string{{"430204001", "清水塘街道"}, {"430204002", "响石岭街道"}}},
		{"430211", "天元区", [][2]string{{"430211001", "嵩山路街道"}, {"430211002", "栗雨街道"}, {"430211100", "群丰镇"}}},
		{"430212", "渌口区", [][2]string{{"430212100", "渌口镇"}, {"430212101", "南洲镇"}}},
		{"430223", "攸县", [][2]string{{"430223001", "联星街道"}, {"430223002", "江桥街道"}}},
		{"430224", "茶陵县", [][2]string{{"430224001", "云阳街道"}, {"430224002", "洣江街道"}}},
		{"430225", "炎陵县", [][2]string{{"430225100", "霞阳镇"}, {"430225101", "鹿原镇"}}},
		{"430281", "醴陵市", [][2]string{{"430281001", "来龙门街道"}, {"430281100", "浦口镇"}}},
	} {
		county := city.Child(c.id, c.name, directory.LevelCounty)
		out = append(out, county)
		for _, t := range c.towns {
			town := county.Child(t[0], t[1], directory.LevelTownship)
			out = append(out, town)
			for _, v := range villages[t[0]] {
				out = append(out, town.Child(v[0], v[1], directory.LevelVillage))
			}
		}
	}
	return out
}

var villages = map[string][][2]string{
	"430202001": {{"430202001001", "新华社区"}, {"430202001002", "月塘社区"}},
	"430211100": {{"430211100201", "湖塘村"}, {"430211100202", "群丰村"}},
	"430223001": {{"430223001001", "城东社区"}},
	"430225100": {{"430225100201", "龙渣村"}},
}

var venues = []directory.Venue{
	{ID: "v-city-library", Name: "株洲市图书馆", Kind: directory.VenueLibrary, DistrictID: "430211001",
		Address: "天元区神农城 株洲市图书馆", Location: directory.Location{Lat: 27.8290, Lng: 113.0830},
		OpeningHours: "周二至周日 09:00-21:00", Facilities: []string{"借阅", "自习室", "电子阅览室", "少儿馆"},
		Accessibility: "无障碍通道、无障碍卫生间", Phone: "0731-28680000"},
	{ID: "v-city-museum", Name: "株洲市博物馆", Kind: directory.VenueMuseum, DistrictID: "430211001",
		Address: "天元区神农城 株洲市博物馆", Location: directory.Location{Lat: 27.8302, Lng: 113.0861},
		OpeningHours: "周二至周日 09:00-17:00", Facilities: []string{"常设展", "临时展", "讲解"}},
	{ID: "v-city-culture", Name: "株洲市文化馆", Kind: directory.VenueCultureCentre, DistrictID: "430202001",
		Address: "荷塘区新华西路 株洲市文化馆", Location: directory.Location{Lat: 27.8522, Lng: 113.1497},
		OpeningHours: "周一至周日 08:30-21:00", Facilities: []string{"排练厅", "非遗展厅", "培训教室"}},
	{ID: "v-workers-cinema", Name: "株洲市工人文化宫影院", Kind: directory.VenueCinema, DistrictID: "430203001",
		Address: "芦淞区建设中路 工人文化宫", Location: directory.Location{Lat: 27.8478, Lng: 113.1402},
		OpeningHours: "每日 10:00-22:00", Facilities: []string{"1号厅 120座", "无障碍席位"}},
	{ID: "v-sports-centre", Name: "株洲市体育中心", Kind: directory.VenueSportsGround, DistrictID: "430211002",
		Address: "天元区泰山路 株洲市体育中心", Location: directory.Location{Lat: 27.8196, Lng: 113.1049},
		OpeningHours: "每日 06:00-22:00", Facilities: []string{"田径场", "羽毛球馆", "健身广场"}},
	{ID: "v-yuetang-station", Name: "荷塘区月塘街道综合文化站", Kind: directory.VenueTownshipStation, DistrictID: "430202001",
		Address: "荷塘区月塘街道", Location: directory.Location{Lat: 27.8603, Lng: 113.1655},
		OpeningHours: "周一至周六 09:00-17:30", Facilities: []string{"多功能厅", "图书室"}},
	{ID: "v-qingshuitang-station", Name: "石峰区清水塘街道综合文化站", Kind: directory.VenueTownshipStation, DistrictID: "430204001",
		Address: "石峰区清水塘街道", Location: directory.Location{Lat: 27.8801, Lng: 113.1098},
		OpeningHours: "周一至周六 09:00-17:30", Facilities: []string{"文体活动室", "健身器材"}},
	{ID: "v-hutang-village", Name: "天元区群丰镇湖塘村综合文化服务中心", Kind: directory.VenueVillageRoom, DistrictID: "430211100201",
		Address: "天元区群丰镇湖塘村", Location: directory.Location{Lat: 27.8712, Lng: 113.0452},
		OpeningHours: "每日 08:00-20:00", Facilities: []string{"文化广场", "农家书屋", "露天放映点"}},
	{ID: "v-chengdong-room", Name: "攸县联星街道城东社区综合文化服务中心", Kind: directory.VenueVillageRoom, DistrictID: "430223001001",
		Address: "攸县联星街道城东社区", Location: directory.Location{Lat: 27.0051, Lng: 113.3530},
		OpeningHours: "周一至周六 08:30-20:00", Facilities: []string{"图书室", "文体活动室"}},
	{ID: "v-lukou-library", Name: "渌口区图书馆", Kind: directory.VenueLibrary, DistrictID: "430212100",
		Address: "渌口区渌口镇", Location: directory.Location{Lat: 27.7003, Lng: 113.1447},
		OpeningHours: "周二至周日 09:00-17:30", Facilities: []string{"借阅", "电子阅览室"}},
	{ID: "v-liling-culture", Name: "醴陵市文化馆", Kind: directory.VenueCultureCentre, DistrictID: "430281001",
		Address: "醴陵市来龙门街道", Location: directory.Location{Lat: 27.6462, Lng: 113.4968},
		OpeningHours: "周一至周日 08:30-17:30", Facilities: []string{"陶瓷非遗工坊", "排练厅"}},
	{ID: "v-youxian-culture", Name: "攸县文化馆", Kind: directory.VenueCultureCentre, DistrictID: "430223001",
		Address: "攸县联星街道", Location: directory.Location{Lat: 27.0004, Lng: 113.3452},
		OpeningHours: "周一至周日 08:30-17:30", Facilities: []string{"排练厅", "展厅"}},
	{ID: "v-chaling-reading", Name: "茶陵县云阳街道电子阅览室", Kind: directory.VenueReadingRoom, DistrictID: "430224001",
		Address: "茶陵县云阳街道", Location: directory.Location{Lat: 26.7931, Lng: 113.5441},
		OpeningHours: "周二至周日 09:00-20:00", Facilities: []string{"电子阅览座位 20个"}},
	{ID: "v-xiayang-station", Name: "炎陵县霞阳镇综合文化站", Kind: directory.VenueTownshipStation, DistrictID: "430225100",
		Address: "炎陵县霞阳镇", Location: directory.Location{Lat: 26.4892, Lng: 113.7718},
		OpeningHours: "周一至周六 09:00-17:30", Facilities: []string{"多功能厅", "图书室"}},
}

// when is a slot relative to the day the demo is seeded: days ahead, local start time,
// length, capacity and mode.
type when struct {
	days, hour, minute int
	length             time.Duration
	capacity           int
	mode               booking.Mode
	party              int
	cutoff             int    // minutes before the start residents may still cancel
	eligible           string // district whose residents only may book
	rows, seats        int    // a seated hall: rows × seats per row (= capacity)
}

func (w when) slot(now time.Time, a booking.Activity, i int) booking.Slot {
	day := now.In(beijing.Zone)
	start := time.Date(day.Year(), day.Month(), day.Day()+w.days, w.hour, w.minute, 0, 0, beijing.Zone)
	mode := w.mode
	if mode == "" {
		mode = booking.ModeFirstCome
	}
	party := w.party
	if party == 0 {
		party = 2
	}
	return booking.Slot{
		ID: fmt.Sprintf("%s-%d", a.ID, i+1), ActivityID: a.ID, Kind: a.Kind,
		StartsAt: start, EndsAt: start.Add(w.length), Capacity: w.capacity,
		BookingOpensAt: now.Truncate(time.Minute), BookingClosesAt: start,
		PerPersonLimit: 1, MaxPartySize: party, Mode: mode,
		CancelCutoffMinutes: w.cutoff, EligibleDistrictID: w.eligible, Status: booking.SlotScheduled,
		SeatRows: w.rows, SeatsPerRow: w.seats,
		Title: a.Title, VenueName: venueName(a.VenueID),
	}
}

func venueName(id string) string {
	for _, v := range venues {
		if v.ID == id {
			return v.Name
		}
	}
	return ""
}

var activities = []struct {
	booking.Activity
	slots []when
}{
	{booking.Activity{ID: "a-film-wandering-earth", Kind: booking.KindFilm, Title: "公益电影《流浪地球2》",
		Description: "周末公益放映，凭电子票入场。", VenueID: "v-workers-cinema", DistrictID: "430203"},
		[]when{{days: 2, hour: 19, minute: 30, length: 3 * time.Hour, capacity: 120, cutoff: 120, rows: 10, seats: 12}, {days: 3, hour: 14, length: 3 * time.Hour, capacity: 120, cutoff: 120}}},
	{booking.Activity{ID: "a-film-open-air-hutang", Kind: booking.KindFilm, Title: "湖塘村露天电影《长津湖》",
		Description: "农村公益电影放映，村文化广场，自带板凳。限群丰镇居民预约。", VenueID: "v-hutang-village", DistrictID: "430211100201"},
		[]when{{days: 4, hour: 19, length: 3 * time.Hour, capacity: 200, party: 5, eligible: "430211100"}}},
	{booking.Activity{ID: "a-event-paper-cutting", Kind: booking.KindEvent, Title: "非遗剪纸体验课",
		Description: "非遗传承人现场教学，材料免费提供。", VenueID: "v-city-culture", DistrictID: "430202"},
		[]when{{days: 1, hour: 14, minute: 30, length: 2 * time.Hour, capacity: 30, cutoff: 60}, {days: 8, hour: 14, minute: 30, length: 2 * time.Hour, capacity: 30, cutoff: 60}}},
	{booking.Activity{ID: "a-event-xiangju", Kind: booking.KindEvent, Title: "湘剧经典名段欣赏",
		Description: "名额紧张，采用抽签方式分配。", VenueID: "v-city-museum", DistrictID: "430211"},
		[]when{{days: 6, hour: 19, minute: 30, length: 2 * time.Hour, capacity: 80, mode: booking.ModeBallot}}},
	{booking.Activity{ID: "a-fitness-taichi", Kind: booking.KindFitness, Title: "太极拳晨练公益班",
		Description: "社会体育指导员带教，适合零基础。", VenueID: "v-sports-centre", DistrictID: "430211"},
		[]when{{days: 1, hour: 7, length: time.Hour, capacity: 40, party: 1}, {days: 3, hour: 7, length: time.Hour, capacity: 40, party: 1}, {days: 5, hour: 7, length: time.Hour, capacity: 40, party: 1}}},
	{booking.Activity{ID: "a-fitness-square-dance", Kind: booking.KindFitness, Title: "广场舞公益培训",
		Description: "社区文化站组织，每周一次。", VenueID: "v-yuetang-station", DistrictID: "430202001"},
		[]when{{days: 2, hour: 19, length: 90 * time.Minute, capacity: 50, party: 1}}},
	{booking.Activity{ID: "a-reading-picture-books", Kind: booking.KindReading, Title: "亲子绘本共读",
		Description: "适合3-8岁儿童及家长。名额很少，约满可排队候补。", VenueID: "v-city-library", DistrictID: "430211"},
		[]when{{days: 5, hour: 10, length: 90 * time.Minute, capacity: 3, party: 3}}},
	{booking.Activity{ID: "a-reading-e-room", Kind: booking.KindReading, Title: "电子阅览室座位预约",
		Description: "每时段2小时，开始后15分钟内未签到将释放座位。", VenueID: "v-chaling-reading", DistrictID: "430224001"},
		[]when{{days: 1, hour: 9, length: 2 * time.Hour, capacity: 20, party: 1}, {days: 1, hour: 14, length: 2 * time.Hour, capacity: 20, party: 1}}},
}

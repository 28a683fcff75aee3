package resident

import (
	"math"
	"net/http"
	"net/url"
	"strconv"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/h5"
)

// venueKinds are the venue kinds as the pages name them.
var venueKinds = map[string]string{
	directory.VenueLibrary: "图书馆", directory.VenueCultureCentre: "文化馆", directory.VenueMuseum: "博物馆",
	directory.VenueCinema: "影院", directory.VenueSportsGround: "体育场馆", directory.VenueTownshipStation: "综合文化站",
	directory.VenueVillageRoom: "村（社区）文化服务中心", directory.VenueReadingRoom: "阅读空间",
}

type venueData struct {
	Venue directory.Venue
	Kind  string
	Slots []SlotRow
}

// venue serves GET /h5/venues/{id}: address, opening hours, accessibility, facilities,
// and what is on there.
func (p *Pages) venue(w http.ResponseWriter, r *http.Request) {
	v, err := p.Directory.Venue(r.Context(), r.PathValue("id"))
	if err != nil {
		p.refuse(w, r, err)
		return
	}
	d := venueData{Venue: v, Kind: venueKinds[v.Kind]}
	d.Slots, err = p.slotRows(r.Context(), booking.ListQuery{Limit: "100"}, func(l booking.Listing) bool { return l.VenueID == v.ID })
	if err != nil {
		p.refuse(w, r, err)
		return
	}
	sortRows(d.Slots)
	p.t.Render(w, r, "venue", http.StatusOK, h5.View{Title: v.Name, Data: d})
}

// NearRow is a venue near the person, with its distance.
type NearRow struct {
	directory.VenueDistance
	Kind     string
	Distance string
}

type mapData struct {
	Near      string // "lat,lng" asked about, or ""
	Venues    []NearRow
	Districts []Option
	District  string
	Error     string
}

// nearMap serves GET /h5/map: the venues nearest the phone's location (?near=lat,lng,
// which the page's script fills from wx.getLocation in WeChat or the browser's
// geolocation elsewhere), or those of a chosen district; a list, no map tiles.
func (p *Pages) nearMap(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := mapData{Near: q.Get("near"), District: q.Get("district")}
	ctx := r.Context()
	districts, err := p.Directory.Districts(ctx)
	if err != nil {
		p.refuse(w, r, err)
		return
	}
	d.Districts = []Option{{Value: "", Text: "选择地区"}}
	for _, dist := range districts {
		if dist.Level == directory.LevelCounty {
			d.Districts = append(d.Districts, Option{Value: dist.ID, Text: dist.Name, Selected: dist.ID == d.District})
		}
	}
	switch {
	case d.Near != "":
		near, err := directory.ParseNear(d.Near, "50000", q.Get("kind"), "20")
		if err == nil {
			var vs []directory.VenueDistance
			if vs, err = p.Directory.VenuesNear(ctx, near); err == nil {
				for _, v := range vs {
					d.Venues = append(d.Venues, NearRow{VenueDistance: v, Kind: venueKinds[v.Kind], Distance: distanceText(v.DistanceMeters)})
				}
			}
		}
		if err != nil {
			if fault.As(err).Kind != fault.Invalid {
				p.refuse(w, r, err)
				return
			}
			d.Error = "没能读到有效的位置，请再点一次「使用我的位置」，或选择地区查看。"
		}
	case d.District != "":
		dist, err := p.Directory.District(ctx, d.District)
		if err != nil {
			p.refuse(w, r, err)
			return
		}
		vs, err := p.Directory.VenuesUnder(ctx, dist)
		if err != nil {
			p.refuse(w, r, err)
			return
		}
		for _, v := range vs {
			d.Venues = append(d.Venues, NearRow{VenueDistance: directory.VenueDistance{Venue: v}, Kind: venueKinds[v.Kind]})
		}
	}
	p.t.Render(w, r, "map", http.StatusOK, h5.View{Title: "附近的场馆", Back: h5.Prefix + "/", Data: d})
}

func distanceText(m int) string {
	if m < 1000 {
		return strconv.Itoa(m) + " 米"
	}
	return strconv.FormatFloat(math.Round(float64(m)/100)/10, 'f', -1, 64) + " 公里"
}

type screeningData struct {
	Slot  booking.Slot
	Done  *booking.Screening
	Error string
}

// screeningForm serves GET /h5/screenings/{id}/verify: the projectionist's page, which
// the chat links when the village's code is scanned: the phone's location and the
// head-count.
func (p *Pages) screeningForm(w http.ResponseWriter, r *http.Request) {
	sl, err := p.Bookings.Catalog.Slot(r.Context(), r.PathValue("id"))
	if err != nil {
		p.refuse(w, r, err)
		return
	}
	p.t.Render(w, r, "screening", http.StatusOK, h5.View{Title: "放映核验", Data: screeningData{Slot: sl}})
}

// verifyScreening serves POST /h5/screenings/{id}/verify, as POST
// /api/v1/admin/screenings/{id}/verify.
func (p *Pages) verifyScreening(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	id := r.PathValue("id")
	// The location WeChat reported for the phone wins when fresh; the page's is the
	// fallback, and the record says which it was.
	var page *booking.Position
	lat, errLat := strconv.ParseFloat(f.Get("lat"), 64)
	lng, errLng := strconv.ParseFloat(f.Get("lng"), 64)
	if errLat == nil && errLng == nil {
		page = &booking.Position{Lat: lat, Lng: lng}
	}
	c, _ := auth.FromContext(r.Context())
	sc, err := p.Bookings.VerifyScreening(r.Context(), id, c.OpenID, page, atoi(f.Get("headCount")))
	if err != nil {
		if page == nil && fault.As(err).Code == booking.ErrScreeningInvalid.Code {
			p.Site.Refuse(w, r, err, h5.Refusal{Message: "没有读到手机的位置。请允许获取位置，填写观众人数后再提交核验。",
				Link: h5.Prefix + "/screenings/" + url.PathEscape(id) + "/verify", LinkText: "返回重试"})
			return
		}
		p.refuse(w, r, err)
		return
	}
	sl, err := p.Bookings.Catalog.Slot(r.Context(), id)
	if err != nil {
		p.refuse(w, r, err)
		return
	}
	p.t.Render(w, r, "screening", http.StatusOK, h5.View{Title: "放映核验", Data: screeningData{Slot: sl, Done: &sc}})
}

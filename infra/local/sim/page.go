package sim

import (
	"bytes"
	"context"
	_ "embed"
	"html/template"
	"math"
	"net/http"
	"slices"
	"strconv"

	"github.com/wentitong/wentitong/shared/geo"
	"github.com/wentitong/wentitong/shared/privacy"
	"github.com/wentitong/wentitong/shared/wechattest"
)

var (
	//go:embed page.html
	pageHTML string
	//go:embed page.css
	pageCSS string
	//go:embed page.js
	pageJS string

	pageTemplate = template.Must(template.New("page").Parse(pageHTML))
)

// pageData is what the page template shows.
type pageData struct {
	OpenID    string
	Role      string
	Following bool
	People    []personChoice
	Menu      []menuButton
	ModeName  string
	Callback  string
	FakeOn    bool
	Map       mapData
	Notice    string // why the openid asked for was not used
	CSS       template.CSS
	JS        template.JS
}

type personChoice struct {
	OpenID, Role string
	Current      bool
}

// menuButton is a button of the account's menu, with a view button's link pointing at
// the local pages signed in as the person.
type menuButton struct {
	Name, Type, Key, URL, Href string
	Sub                        []menuButton
}

var modeNames = map[string]string{
	wechattest.ModePlain:  "明文模式",
	wechattest.ModeCompat: "兼容模式",
	wechattest.ModeSafe:   "安全模式",
}

func (s *Simulator) servePage(w http.ResponseWriter, r *http.Request) {
	d, err := s.pageData(r.Context(), r.URL.Query().Get("openid"))
	if err != nil {
		s.o.Log.Error("simulator page", "err", privacy.Redact(err.Error()))
		http.Error(w, "模拟器暂时无法打开，请查看运行日志。", http.StatusInternalServerError)
		return
	}
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, d); err != nil {
		s.o.Log.Error("simulator page", "err", err)
		http.Error(w, "模拟器暂时无法打开，请查看运行日志。", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b.Bytes())
}

func (s *Simulator) pageData(ctx context.Context, asked string) (pageData, error) {
	d := pageData{ModeName: modeNames[s.o.Mode], Callback: s.o.Callback, FakeOn: s.o.Fake != nil,
		CSS: template.CSS(pageCSS), JS: template.JS(pageJS)}
	openids := slices.Clone(s.o.People)
	for _, id := range s.feed.openids() {
		if !slices.Contains(openids, id) {
			openids = append(openids, id)
		}
	}
	switch {
	case validOpenID(asked):
		d.OpenID = asked
	case asked != "":
		d.Notice = ErrOpenID.Message
	}
	if d.OpenID == "" && len(openids) > 0 {
		d.OpenID = openids[0]
	}
	if d.OpenID == "" {
		d.OpenID = "o-resident-1"
	}
	if !slices.Contains(openids, d.OpenID) {
		openids = append(openids, d.OpenID)
	}
	for _, id := range openids {
		role, err := s.o.Source.Role(ctx, id)
		if err != nil {
			return d, err
		}
		d.People = append(d.People, personChoice{OpenID: id, Role: role, Current: id == d.OpenID})
		if id == d.OpenID {
			d.Role = role
		}
	}
	var err error
	if d.Following, err = s.o.Source.Following(ctx, d.OpenID); err != nil {
		return d, err
	}
	for _, top := range s.o.Menu {
		mb := s.menuButton(d.OpenID, top.Name, top.Type, top.Key, top.URL)
		for _, sub := range top.Sub {
			mb.Sub = append(mb.Sub, s.menuButton(d.OpenID, sub.Name, sub.Type, sub.Key, sub.URL))
		}
		d.Menu = append(d.Menu, mb)
	}
	venues, err := s.o.Source.Venues(ctx)
	if err != nil {
		return d, err
	}
	d.Map = newMap(venues)
	return d, nil
}

func (s *Simulator) menuButton(openid, name, typ, key, link string) menuButton {
	b := menuButton{Name: name, Type: typ, Key: key, URL: link}
	if link != "" {
		b.Href = s.links.rewrite(openid, link)
	}
	return b
}

// mapData is the location picker's map: the venues on a plain equirectangular drawing
// (no tiles, no third-party host) of mapWidth × mapHeight units, with what the page
// needs to turn a click back into a point.
type mapData struct {
	Lng0, Lat0 float64 // the top-left corner
	Scale      float64 // drawing units per degree of latitude
	CosLat     float64 // shrinks degrees of longitude
	FullBox    string  // the viewBox of every venue
	CityBox    string  // the viewBox of the densest group of venues
	Points     []mapPoint
	Grid       []gridLine
}

type mapPoint struct {
	Venue
	X, Y float64
}

type gridLine struct {
	X1, Y1, X2, Y2 float64
	Minor          bool // every 0.02°, drawn when zoomed in
}

const (
	mapWidth, mapHeight = 1000.0, 750.0 // 4:3, as the page draws it
	cityRadius          = 8000.0        // metres around the venue with the most neighbours
)

func newMap(venues []Venue) mapData {
	m := mapData{Lng0: 113, Lat0: 28, Scale: 1000, CosLat: math.Cos(28 * math.Pi / 180)}
	m.FullBox = box(mapWidth/2, mapHeight/2, mapWidth)
	m.CityBox = m.FullBox
	if len(venues) == 0 {
		return m
	}
	minLat, maxLat, minLng, maxLng := venues[0].Lat, venues[0].Lat, venues[0].Lng, venues[0].Lng
	for _, v := range venues {
		minLat, maxLat = math.Min(minLat, v.Lat), math.Max(maxLat, v.Lat)
		minLng, maxLng = math.Min(minLng, v.Lng), math.Max(maxLng, v.Lng)
	}
	m.CosLat = math.Cos((minLat + maxLat) / 2 * math.Pi / 180)
	spanX, spanY := math.Max((maxLng-minLng)*m.CosLat, 0.02), math.Max(maxLat-minLat, 0.02)
	m.Scale = math.Min(mapWidth*0.8/spanX, mapHeight*0.8/spanY)
	m.Lng0 = (minLng+maxLng)/2 - mapWidth/2/(m.Scale*m.CosLat)
	m.Lat0 = (minLat+maxLat)/2 + mapHeight/2/m.Scale
	for _, v := range venues {
		m.Points = append(m.Points, mapPoint{Venue: v, X: m.x(v.Lng), Y: m.y(v.Lat)})
	}
	m.CityBox = m.city()
	for i := math.Ceil((m.Lat0 - mapHeight/m.Scale) / 0.02); i*0.02 < m.Lat0; i++ {
		y := m.y(i * 0.02)
		m.Grid = append(m.Grid, gridLine{X1: 0, Y1: y, X2: mapWidth, Y2: y, Minor: int(math.Round(i))%5 != 0})
	}
	for i := math.Ceil(m.Lng0 / 0.02); m.x(i*0.02) < mapWidth; i++ {
		x := m.x(i * 0.02)
		m.Grid = append(m.Grid, gridLine{X1: x, Y1: 0, X2: x, Y2: mapHeight, Minor: int(math.Round(i))%5 != 0})
	}
	return m
}

func (m mapData) x(lng float64) float64 { return round1((lng - m.Lng0) * m.CosLat * m.Scale) }
func (m mapData) y(lat float64) float64 { return round1((m.Lat0 - lat) * m.Scale) }

// city returns the viewBox around the venues within cityRadius of the one with the most
// such neighbours, so that a city centre crowded with venues can be zoomed into.
func (m mapData) city() string {
	near := func(a, b mapPoint) bool { return geo.Distance(a.Lat, a.Lng, b.Lat, b.Lng) <= cityRadius }
	best, most := 0, -1
	for i, p := range m.Points {
		n := 0
		for _, q := range m.Points {
			if near(p, q) {
				n++
			}
		}
		if n > most {
			best, most = i, n
		}
	}
	minX, minY, maxX, maxY := mapWidth, mapHeight, 0.0, 0.0
	for _, p := range m.Points {
		if near(m.Points[best], p) {
			minX, minY, maxX, maxY = math.Min(minX, p.X), math.Min(minY, p.Y), math.Max(maxX, p.X), math.Max(maxY, p.Y)
		}
	}
	// At least 4 km wide, with a margin for the labels.
	km := m.Scale / 111.2
	w := math.Max(math.Max(maxX-minX, (maxY-minY)*mapWidth/mapHeight)*1.5, 4*km)
	return box((minX+maxX)/2, (minY+maxY)/2, w)
}

// box is a viewBox of the map's proportions, w wide, centred on (cx, cy).
func box(cx, cy, w float64) string {
	h := w * mapHeight / mapWidth
	return format1(cx-w/2) + " " + format1(cy-h/2) + " " + format1(w) + " " + format1(h)
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

func format1(v float64) string { return strconv.FormatFloat(round1(v), 'f', -1, 64) }

package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/dynamo/directorydb"
	"github.com/wentitong/wentitong/shared/geo"
)

func init() {
	register("emap", "nearest-venue queries from the geohash index vs reading every venue", runEmap)
}

// runEmap seeds venues scattered over Zhuzhou's urban area and its counties, then times
// e-map queries from random points against two baselines measured in the same run: a
// single GetItem (the engine's fastest read) and reading every venue of the city (what
// the e-map would cost without its index).
func runEmap(ctx context.Context, args []string, out io.Writer) error {
	fs := flags("emap", out)
	venues := fs.Int("venues", 1000, "venues to seed")
	queries := fs.Int("queries", 200, "queries per measurement")
	radius := fs.Int("radius", 2000, "search radius in metres")
	workers := fs.Int("concurrency", 8, "concurrent callers")
	if err := fs.Parse(args); err != nil {
		return err
	}
	const table = "wentitong-bench"
	rg, err := newRig(ctx, table, nil)
	if err != nil {
		return err
	}
	defer rg.Close()
	db, counter := rg.db, rg.counter
	d := &directorydb.Directory{DB: db, Table: table}
	city := directory.Root("430200", "株洲市")
	county := city.Child("430211", "天元区", directory.LevelCounty)
	for _, dist := range []directory.District{city, county} {
		if err := d.PutDistrict(ctx, dist); err != nil {
			return err
		}
	}
	rng := rand.New(rand.NewPCG(8, 8))
	centre := directory.Location{Lat: 27.83, Lng: 113.13}
	point := func(spread float64) directory.Location { // uniform in a square of ±spread metres
		dn, de := (rng.Float64()*2-1)*spread, (rng.Float64()*2-1)*spread
		return directory.Location{
			Lat: centre.Lat + dn/geo.EarthRadius*180/math.Pi,
			Lng: centre.Lng + de/geo.EarthRadius*180/math.Pi/math.Cos(centre.Lat*math.Pi/180),
		}
	}
	start := time.Now()
	for i := range *venues {
		v := directory.Venue{ID: fmt.Sprintf("v%05d", i), Name: "venue", Kind: directory.Kinds[i%len(directory.Kinds)],
			DistrictID: county.ID, Location: point(40_000)}
		if err := d.PutVenue(ctx, v); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "seeded %d venues over 80 × 80 km in %v\n\n", *venues, time.Since(start).Round(time.Millisecond))

	points := make([]directory.Location, *queries)
	for i := range points {
		points[i] = point(15_000) // people ask from the urban area
	}
	type result struct {
		name      string
		lat       []time.Duration
		calls     float64
		items     float64
		found     float64
		perSecond float64
	}
	measure := func(name string, op func(directory.Location) (items, found int, err error)) (result, error) {
		counter.Reset()
		lat := make([]time.Duration, len(points))
		var items, found int64
		var mu sync.Mutex
		var firstErr error
		next := make(chan int)
		var wg sync.WaitGroup
		t0 := time.Now()
		for range *workers {
			wg.Go(func() {
				for i := range next {
					s := time.Now()
					n, f, err := op(points[i])
					lat[i] = time.Since(s)
					mu.Lock()
					items, found = items+int64(n), found+int64(f)
					if err != nil && firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			})
		}
		for i := range points {
			next <- i
		}
		close(next)
		wg.Wait()
		elapsed := time.Since(t0)
		slices.Sort(lat)
		q := float64(len(points))
		return result{name: name, lat: lat, calls: float64(counter.Total()) / q, items: float64(items) / q,
			found: float64(found) / q, perSecond: q / elapsed.Seconds()}, firstErr
	}
	near := func(p directory.Location) directory.Near {
		return directory.Near{At: p, RadiusMeters: *radius, Limit: directory.MaxLimit}
	}
	results := []func() (result, error){
		func() (result, error) {
			return measure("baseline: GetItem of one venue", func(directory.Location) (int, int, error) {
				_, err := d.Venue(ctx, "v00001")
				return 1, 1, err
			})
		},
		func() (result, error) {
			return measure("baseline: read every venue, filter", func(p directory.Location) (int, int, error) {
				all, err := d.VenuesUnder(ctx, city)
				return len(all), len(near(p).Select(all)), err
			})
		},
		func() (result, error) {
			return measure(fmt.Sprintf("e-map: VenuesNear %d m", *radius), func(p directory.Location) (int, int, error) {
				c, err := d.Candidates(ctx, near(p))
				if err != nil {
					return 0, 0, err
				}
				return len(c), len(near(p).Select(c)), nil
			})
		},
		func() (result, error) {
			return measure("callback: Nearest 5", func(p directory.Location) (int, int, error) {
				vs, err := d.Nearest(ctx, p, 5)
				return 0, len(vs), err
			})
		},
	}
	fmt.Fprintf(out, "%-36s %9s %9s %9s %10s %10s %9s\n", "", "per s", "p50", "p99", "calls/q", "items/q", "found/q")
	var rows []result
	for _, r := range results {
		res, err := r()
		if err != nil {
			return err
		}
		rows = append(rows, res)
		p := func(f float64) time.Duration {
			return res.lat[int(f*float64(len(res.lat)-1))].Round(10 * time.Microsecond)
		}
		items := fmt.Sprintf("%.1f", res.items)
		if res.items == 0 {
			items = "-"
		}
		fmt.Fprintf(out, "%-36s %9.0f %9v %9v %10.1f %10s %9.1f\n", res.name, res.perSecond, p(0.5), p(0.99), res.calls, items, res.found)
	}
	get, all, emap := rows[0], rows[1], rows[2]
	fmt.Fprintf(out, "\ne-map: %.1f items read per query, %.1f%% of reading every venue; %.1f Queries per query; %.3f× the GetItem rate, %.1f× the read-everything rate\n",
		emap.items, 100*emap.items/all.items, emap.calls, emap.perSecond/get.perSecond, emap.perSecond/all.perSecond)
	fmt.Fprintln(out, "(the embedded engine spends time on every Query in proportion to the index's size, whatever it returns;"+
		" DynamoDB charges and spends by the items read, so items/q is the figure that carries over)")
	fmt.Fprintf(out, `{"scenario":"emap","venues":%d,"radius":%d,"emapPerSecond":%.0f,"getItemPerSecond":%.0f,"scanAllPerSecond":%.0f,"emapItemsPerQuery":%.1f,"allItemsPerQuery":%.1f,"emapQueriesPerRequest":%.1f,"nearestCallsPerRequest":%.1f}`+"\n",
		*venues, *radius, emap.perSecond, get.perSecond, all.perSecond, emap.items, all.items, emap.calls, rows[3].calls)
	return nil
}

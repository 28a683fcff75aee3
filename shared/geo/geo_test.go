package geo

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestEncode(t *testing.T) {
	tests := []struct {
		lat, lng  float64
		precision int
		want      string
	}{
		{42.6, -5.6, 5, "ezs42"},                // Wikipedia's example
		{57.64911, 10.40744, 11, "u4pruydqqvj"}, // geohash.org's example
		{-25.382708, -49.265506, 7, "6gkzwgj"},
		{27.8290, 113.0830, 6, "wsbqm6"}, // 株洲市图书馆
		{90, 180, 4, "zzzz"},
		{-90, -180, 4, "0000"},
	}
	for _, tt := range tests {
		if got := Encode(tt.lat, tt.lng, tt.precision); got != tt.want {
			t.Errorf("Encode(%v, %v, %d) = %q, want %q", tt.lat, tt.lng, tt.precision, got, tt.want)
		}
	}
	// A longer hash extends the shorter one.
	if long, short := Encode(27.83, 113.13, 9), Encode(27.83, 113.13, 5); !strings.HasPrefix(long, short) {
		t.Errorf("Encode(…, 9) = %q does not start with Encode(…, 5) = %q", long, short)
	}
}

func TestDistance(t *testing.T) {
	tests := []struct {
		name                   string
		lat1, lng1, lat2, lng2 float64
		want, tolerance        float64 // metres
	}{
		{"same point", 27.83, 113.13, 27.83, 113.13, 0, 0.001},
		{"one degree of latitude", 0, 0, 1, 0, 111195.08, 0.5},
		{"one degree of longitude at the equator", 0, 0, 0, 1, 111195.08, 0.5},
		{"one degree of longitude at 60°N", 60, 0, 60, 1, 55597.5, 10},
		{"antipodes", 0, 0, 0, 180, math.Pi * EarthRadius, 0.5},
		{"across the antimeridian", 0, 179.5, 0, -179.5, 111195.08, 0.5},
		// Published great-circle distances (spherical Earth) between city centres.
		{"Beijing–Shanghai", 39.9042, 116.4074, 31.2304, 121.4737, 1067_000, 3_000},
		{"Zhuzhou library–museum", 27.8290, 113.0830, 27.8302, 113.0861, 332, 5},
	}
	for _, tt := range tests {
		got := Distance(tt.lat1, tt.lng1, tt.lat2, tt.lng2)
		if math.Abs(got-tt.want) > tt.tolerance {
			t.Errorf("%s: Distance = %.1f m, want %.1f ± %.1f", tt.name, got, tt.want, tt.tolerance)
		}
		if back := Distance(tt.lat2, tt.lng2, tt.lat1, tt.lng1); math.Abs(back-got) > 1e-6 {
			t.Errorf("%s: Distance is not symmetric: %v and %v", tt.name, got, back)
		}
	}
}

func TestNeighbours(t *testing.T) {
	got := Neighbours(42.6, -5.6, 5)
	want := []string{"ezs42", "ezs48", "ezs49", "ezs43", "ezs41", "ezs40", "ezefr", "ezefp", "ezefx"}
	if len(got) != 9 || got[4] != "ezs42" {
		// cellsBetween lists south to north, west to east: the centre is fifth.
		t.Fatalf("Neighbours(ezs42) = %v, want 9 cells with ezs42 in the middle", got)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("Neighbours(ezs42) = %v, want %v", got, want)
	}
	// At the antimeridian the neighbours wrap; at the pole there is no row beyond.
	if got := Neighbours(0, 179.99, 1); !slices.Contains(got, Encode(0, -179.99, 1)) {
		t.Errorf("Neighbours(0, 179.99) = %v, want the cell across the antimeridian", got)
	}
	if got := Neighbours(89.99, 0, 2); len(got) != 6 {
		t.Errorf("Neighbours(pole) = %v, want 6 cells", got)
	}
}

// Every point within the radius lies in one of the covering cells, whatever side of a
// cell edge the centre or the point falls on.
func TestCoverContainsTheCircle(t *testing.T) {
	centres := [][2]float64{
		{27.83, 113.13},
		{27.8320, 113.1152},     // near a precision-5 cell corner
		{27.861328, 113.115234}, // exactly on a precision-5 cell corner
		{0.0001, 179.9999},      // the antimeridian and the equator
		{-33.8688, 151.2093},    // southern hemisphere
	}
	for _, c := range centres {
		for _, radius := range []float64{50, 900, 5000, 20000, 50000} {
			cells := Cover(c[0], c[1], radius, 4, 7, 12)
			if len(cells) == 0 || len(cells) > 12 && len(cells[0]) > 4 {
				t.Errorf("Cover(%v, %v m) = %d cells of precision %d, want 1..12 above the minimum precision", c, radius, len(cells), len(cells[0]))
			}
			for i := range 64 { // points on the circle and halfway in
				θ := float64(i) / 64 * 2 * math.Pi
				for _, f := range []float64{0.5, 0.999} {
					d := radius * f / EarthRadius * 180 / math.Pi
					lat := c[0] + d*math.Cos(θ)
					lng := c[1] + d*math.Sin(θ)/math.Cos(radians(c[0]))
					if lng > 180 {
						lng -= 360
					}
					if Distance(c[0], c[1], lat, lng) > radius {
						continue
					}
					h := Encode(lat, lng, len(cells[0]))
					if !slices.Contains(cells, h) {
						t.Fatalf("Cover(%v, %v m) = %v misses (%v, %v) in %s", c, radius, cells, lat, lng, h)
					}
				}
			}
		}
	}
}

func TestCoverPrecision(t *testing.T) {
	tests := []struct {
		radius float64
		want   int
	}{{50, 7}, {200, 6}, {2000, 5}, {5000, 5}, {20000, 4}, {200000, 4}}
	for _, tt := range tests {
		cells := Cover(27.83, 113.13, tt.radius, 4, 7, 12)
		if got := len(cells[0]); got != tt.want {
			t.Errorf("Cover(radius %v) uses precision %d (%d cells), want %d", tt.radius, got, len(cells), tt.want)
		}
	}
}

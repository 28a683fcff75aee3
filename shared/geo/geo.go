// Package geo is the little geometry the e-map needs: great-circle distances and
// geohashes, with the cells that cover a circle.
//
// A geohash of precision p interleaves lngBits = ceil(5p/2) bits of longitude and
// latBits = floor(5p/2) bits of latitude (longitude first) and writes them five at a time
// in base 32. The cells of one precision form a grid; a cell's row and column are plain
// integers, so neighbours and coverings are integer arithmetic rather than string tricks.
package geo

import (
	"math"
	"strings"
)

// EarthRadius is the mean radius of the Earth in metres (IUGG).
const EarthRadius = 6371008.8

// Distance returns the great-circle distance in metres between two points given in
// degrees (haversine formula; within 0.5% of the ellipsoidal distance).
func Distance(lat1, lng1, lat2, lng2 float64) float64 {
	φ1, φ2 := radians(lat1), radians(lat2)
	dφ, dλ := φ2-φ1, radians(lng2-lng1)
	h := math.Sin(dφ/2)*math.Sin(dφ/2) + math.Cos(φ1)*math.Cos(φ2)*math.Sin(dλ/2)*math.Sin(dλ/2)
	return 2 * EarthRadius * math.Asin(math.Sqrt(min(1, h)))
}

func radians(deg float64) float64 { return deg * math.Pi / 180 }

const base32 = "0123456789bcdefghjkmnpqrstuvwxyz"

// MaxPrecision is the longest geohash this package writes (60 bits).
const MaxPrecision = 12

// cell is one cell of the grid of a precision.
type cell struct {
	row, col  int64 // latitude and longitude indices from the south-west corner
	precision int
}

func bits(precision int) (latBits, lngBits int) {
	n := 5 * precision
	return n / 2, n - n/2
}

// cellAt returns the cell containing the point.
func cellAt(lat, lng float64, precision int) cell {
	latBits, lngBits := bits(precision)
	return cell{
		row:       index(lat, -90, 180, latBits),
		col:       index(lng, -180, 360, lngBits),
		precision: precision,
	}
}

// index returns floor((v-lo)/span · 2^n), clamped to the grid.
func index(v, lo, span float64, n int) int64 {
	size := int64(1) << n
	i := int64(math.Floor((v - lo) / span * float64(size)))
	return max(0, min(size-1, i))
}

// hash writes the cell as a geohash.
func (c cell) hash() string {
	latBits, lngBits := bits(c.precision)
	var b strings.Builder
	b.Grow(c.precision)
	lat, lng := latBits, lngBits // bits still to take, most significant first
	var v byte
	for i := range 5 * c.precision {
		v <<= 1
		if i%2 == 0 {
			lng--
			v |= byte(c.col >> lng & 1)
		} else {
			lat--
			v |= byte(c.row >> lat & 1)
		}
		if i%5 == 4 {
			b.WriteByte(base32[v])
			v = 0
		}
	}
	return b.String()
}

// Encode returns the geohash of the point with the given precision (1 to MaxPrecision).
func Encode(lat, lng float64, precision int) string {
	precision = max(1, min(MaxPrecision, precision))
	return cellAt(lat, lng, precision).hash()
}

// Neighbours returns the geohash of the point's cell followed by its eight neighbours
// (fewer at the poles), each once. Longitude wraps around the antimeridian.
func Neighbours(lat, lng float64, precision int) []string {
	precision = max(1, min(MaxPrecision, precision))
	c := cellAt(lat, lng, precision)
	return cellsBetween(c.row-1, c.row+1, c.col-1, c.col+1, precision)
}

// Cover returns the geohashes of the cells that together contain every point within
// radius metres of (lat, lng): the cells of the circle's bounding box, at the finest
// precision between minPrecision and maxPrecision that needs at most maxCells cells (at
// minPrecision when none does). For a small radius that is the point's cell and the
// neighbours the circle reaches.
func Cover(lat, lng, radius float64, minPrecision, maxPrecision, maxCells int) []string {
	dLat := radius / EarthRadius * 180 / math.Pi
	south, north := max(-90, lat-dLat), min(90, lat+dLat)
	dLng := 180.0
	if c := math.Cos(radians(max(math.Abs(south), math.Abs(north)))); c > 1e-9 {
		dLng = min(180, dLat/c)
	}
	var out []string
	for p := maxPrecision; p >= minPrecision; p-- {
		sw, ne := cellAt(south, lng-dLng, p), cellAt(north, lng+dLng, p)
		_, lngBits := bits(p)
		cols := ne.col - sw.col
		if lng+dLng > 180 || lng-dLng < -180 { // the box crosses the antimeridian
			cols = cols + int64(1)<<lngBits
		}
		cols = min(cols+1, int64(1)<<lngBits)
		if n := (ne.row - sw.row + 1) * cols; n <= int64(maxCells) || p == minPrecision {
			out = cellsBetween(sw.row, ne.row, sw.col, sw.col+cols-1, p)
			break
		}
	}
	return out
}

// cellsBetween lists the cells of rows r0..r1 and columns c0..c1 (wrapping columns,
// dropping rows beyond the poles), each once.
func cellsBetween(r0, r1, c0, c1 int64, precision int) []string {
	latBits, lngBits := bits(precision)
	rows, cols := int64(1)<<latBits, int64(1)<<lngBits
	seen := map[string]bool{}
	var out []string
	for r := r0; r <= r1; r++ {
		if r < 0 || r >= rows {
			continue
		}
		for c := c0; c <= c1; c++ {
			h := cell{row: r, col: ((c % cols) + cols) % cols, precision: precision}.hash()
			if !seen[h] {
				seen[h] = true
				out = append(out, h)
			}
		}
	}
	return out
}

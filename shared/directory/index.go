package directory

// Index is the whole district tree and every venue in memory, to place many items at
// once (an export, a survey's sample) without a read per item.
type Index struct {
	Districts map[string]District
	Venues    map[string]Venue
}

// NewIndex indexes districts and venues by id.
func NewIndex(districts []District, venues []Venue) Index {
	x := Index{Districts: make(map[string]District, len(districts)), Venues: make(map[string]Venue, len(venues))}
	for _, d := range districts {
		x.Districts[d.ID] = d
	}
	for _, v := range venues {
		x.Venues[v.ID] = v
	}
	return x
}

// Place returns the district of something held in districtID or, when that is empty, at
// venueID (the venue's district); ok is false when the one it names is unknown.
func (x Index) Place(districtID, venueID string) (District, bool) {
	if districtID == "" {
		v, ok := x.Venues[venueID]
		if !ok {
			return District{}, false
		}
		districtID = v.DistrictID
	}
	d, ok := x.Districts[districtID]
	return d, ok
}

// Root returns the root of the tree (the city); ok is false for an empty tree.
func (x Index) Root() (District, bool) {
	for _, d := range x.Districts {
		if d.ParentID == "" {
			return d, true
		}
	}
	return District{}, false
}

package library

import (
	"context"
	"fmt"
	"slices"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/institution"
)

// The city's targets for usable digital resources: at least 25 TB at the city library
// and 3 TB at each county library (市级公共图书馆可用数字资源不少于 25TB，县级不少于 3TB).
const (
	CityLibraryTarget   int64 = 25 << 40
	CountyLibraryTarget int64 = 3 << 40
)

// StorageLine is one institution's or county's stored bytes against its target.
type StorageLine struct {
	ID          string  `json:"id"`
	Name        string  `json:"name,omitempty"`
	Kind        string  `json:"kind,omitempty"`
	County      string  `json:"county,omitempty"` // an institution's county (none: a city institution)
	Bytes       int64   `json:"bytes"`
	Objects     int64   `json:"objects"`
	Human       string  `json:"human"`
	TargetBytes int64   `json:"targetBytes,omitempty"`
	Percent     float64 `json:"percentOfTarget,omitempty"`
}

// StorageReport is the storage used by the library, by institution and by county.
type StorageReport struct {
	City         StorageLine   `json:"city"`
	Institutions []StorageLine `json:"institutions"`
	Counties     []StorageLine `json:"counties"`
}

// Storage returns the storage report: every institution for admins, the staff member's
// own institution otherwise.
func (s *Service) Storage(ctx context.Context, c auth.Claims) (StorageReport, error) {
	insts, err := s.Institutions.Institutions(ctx)
	if err != nil {
		return StorageReport{}, err
	}
	if !c.Has(auth.RoleAdmin) {
		emp, err := s.Institutions.Employer(ctx, c.OpenID)
		if err != nil {
			return StorageReport{}, err
		}
		insts = slices.DeleteFunc(insts, func(i institution.Institution) bool { return i.ID != emp })
		if len(insts) == 0 {
			return StorageReport{}, institution.ErrOutOfScope
		}
	}
	scopes := []string{ScopeCity}
	var counties []string
	for _, i := range insts {
		scopes = append(scopes, ScopeInstitution(i.ID))
		if cty := i.County(); cty != "" && !slices.Contains(counties, cty) {
			counties = append(counties, cty)
			scopes = append(scopes, ScopeCounty(cty))
		}
	}
	usage, err := s.Store.Usage(ctx, scopes)
	if err != nil {
		return StorageReport{}, fmt.Errorf("storage report: %w", err)
	}
	r := StorageReport{Institutions: []StorageLine{}, Counties: []StorageLine{}}
	if c.Has(auth.RoleAdmin) {
		r.City = line("city", "全市", "", usage[ScopeCity], 0)
	}
	for _, i := range insts {
		var target int64
		if i.Kind == institution.KindLibrary {
			target = CountyLibraryTarget
			if i.County() == "" {
				target = CityLibraryTarget
			}
		}
		l := line(i.ID, i.Name, string(i.Kind), usage[ScopeInstitution(i.ID)], target)
		l.County = i.County()
		r.Institutions = append(r.Institutions, l)
	}
	for _, cty := range counties {
		name := cty
		if d, err := s.Places.District(ctx, cty); err == nil {
			name = d.Name
		}
		r.Counties = append(r.Counties, line(cty, name, "county", usage[ScopeCounty(cty)], CountyLibraryTarget))
	}
	return r, nil
}

func line(id, name, kind string, u Usage, target int64) StorageLine {
	l := StorageLine{ID: id, Name: name, Kind: kind, Bytes: u.Bytes, Objects: u.Objects, Human: HumanBytes(u.Bytes), TargetBytes: target}
	if target > 0 {
		l.Percent = float64(u.Bytes*100_000/target) / 1000
	}
	return l
}

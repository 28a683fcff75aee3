package volunteerdb

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamo/accountdb"
	"github.com/wentitong/wentitong/shared/dynamo/directorydb"
	"github.com/wentitong/wentitong/shared/dynamo/outboxdb"
	"github.com/wentitong/wentitong/shared/training"
	"github.com/wentitong/wentitong/shared/volunteer"
)

// Volunteers stores the volunteer domain: volunteers with their guards, history and
// ledger; shifts with their sign-ups and scans; and what it reads of people
// (coordinators' scopes, last locations).
type Volunteers struct {
	DB    *dynamodb.Client
	Table string
}

var (
	_ volunteer.Store  = (*Volunteers)(nil)
	_ volunteer.People = (*Volunteers)(nil)
)

// The items below name their attributes here, not by the domain types, so that renaming
// a field there changes no stored data.

// volunteerItem is a volunteer.Volunteer in the table.
type volunteerItem struct {
	dynamo.Keys
	dynamo.GSI1
	dynamo.GSI2
	ID             string    `dynamodbav:"ID"`
	OpenID         string    `dynamodbav:"OpenID"`
	Name           string    `dynamodbav:"Name"`
	Phone          string    `dynamodbav:"Phone"`
	IDNumberHash   string    `dynamodbav:"IDNumberHash"`
	IDNumberKeyID  string    `dynamodbav:"IDNumberKeyID"`
	IDNumberMasked string    `dynamodbav:"IDNumberMasked"`
	DistrictID     string    `dynamodbav:"DistrictID"`
	DistrictPath   string    `dynamodbav:"DistrictPath"`
	Category       string    `dynamodbav:"Category"`
	Skills         []string  `dynamodbav:"Skills"`
	Team           string    `dynamodbav:"Team"`
	Status         string    `dynamodbav:"Status"`
	StatusReason   string    `dynamodbav:"StatusReason"`
	AppliedAt      time.Time `dynamodbav:"AppliedAt"`
	UpdatedAt      time.Time `dynamodbav:"UpdatedAt"`
	ReconfirmBy    time.Time `dynamodbav:"ReconfirmBy"`
	Inactive       bool      `dynamodbav:"Inactive"`
	CreditMinutes  int       `dynamodbav:"CreditMinutes"`
	HonourMinutes  int       `dynamodbav:"HonourMinutes"`
}

func (it volunteerItem) volunteer() volunteer.Volunteer {
	return volunteer.Volunteer{ID: it.ID, OpenID: it.OpenID, Name: it.Name, Phone: it.Phone, IDNumberHash: it.IDNumberHash,
		IDNumberKeyID: it.IDNumberKeyID, IDNumberMasked: it.IDNumberMasked, DistrictID: it.DistrictID, DistrictPath: it.DistrictPath,
		Category: volunteer.Category(it.Category), Skills: it.Skills, Team: it.Team, Status: volunteer.Status(it.Status),
		StatusReason: it.StatusReason, AppliedAt: it.AppliedAt, UpdatedAt: it.UpdatedAt, ReconfirmBy: it.ReconfirmBy,
		Inactive: it.Inactive, CreditMinutes: it.CreditMinutes, HonourMinutes: it.HonourMinutes}
}

// newVolunteerItem is a new volunteer, listed by status and district on GSI1 and by
// next review on GSI2 from the start (the review index keys are then only ever changed,
// never added, by Updates).
func newVolunteerItem(v volunteer.Volunteer) volunteerItem {
	return volunteerItem{
		Keys: dynamo.Keys{PK: dynamo.VolunteerPK(v.ID), SK: dynamo.SKVolunteer},
		GSI1: dynamo.GSI1{PK: dynamo.VolunteersByStatusPK(string(v.Status)), SK: v.DistrictPath + "#" + v.ID},
		GSI2: dynamo.GSI2{PK: dynamo.ReviewQueue.PK(v.ID), SK: dynamo.ReviewSK(v.ReconfirmBy, v.ID)},
		ID:   v.ID, OpenID: v.OpenID, Name: v.Name, Phone: v.Phone, IDNumberHash: v.IDNumberHash, IDNumberKeyID: v.IDNumberKeyID,
		IDNumberMasked: v.IDNumberMasked, DistrictID: v.DistrictID, DistrictPath: v.DistrictPath, Category: string(v.Category),
		Skills: v.Skills, Team: v.Team, Status: string(v.Status), StatusReason: v.StatusReason, AppliedAt: v.AppliedAt,
		UpdatedAt: v.UpdatedAt, ReconfirmBy: v.ReconfirmBy, Inactive: v.Inactive, CreditMinutes: v.CreditMinutes,
		HonourMinutes: v.HonourMinutes,
	}
}

// renewal sets a volunteer's ReconfirmBy and next review, and clears Inactive.
func renewal(upd expression.UpdateBuilder, id string, by time.Time) expression.UpdateBuilder {
	return upd.Set(expression.Name("ReconfirmBy"), expression.Value(by.UTC())).
		Set(expression.Name("Inactive"), expression.Value(false)).
		Set(expression.Name("GSI2SK"), expression.Value(dynamo.ReviewSK(by, id)))
}

// guardItem points from a person or an ID number hash to the volunteer.
type guardItem struct {
	dynamo.Keys
	VolunteerID string `dynamodbav:"VolunteerID"`
	KeyID       string `dynamodbav:"KeyID,omitempty"` // the ID number guard's: the hash key's id
}

// historyItem is a volunteer.Change in the table.
type historyItem struct {
	dynamo.Keys
	ID          string    `dynamodbav:"ID"`
	VolunteerID string    `dynamodbav:"VolunteerID"`
	Action      string    `dynamodbav:"Action"`
	From        string    `dynamodbav:"From"`
	To          string    `dynamodbav:"To"`
	Reason      string    `dynamodbav:"Reason"`
	By          string    `dynamodbav:"By"`
	At          time.Time `dynamodbav:"At"`
}

func (it historyItem) change() volunteer.Change {
	return volunteer.Change{ID: it.ID, VolunteerID: it.VolunteerID, Action: volunteer.Action(it.Action), From: volunteer.Status(it.From),
		To: volunteer.Status(it.To), Reason: it.Reason, By: it.By, At: it.At}
}

// ledgerItem is a volunteer.Entry in the table.
type ledgerItem struct {
	dynamo.Keys
	ID          string    `dynamodbav:"ID"`
	VolunteerID string    `dynamodbav:"VolunteerID"`
	Kind        string    `dynamodbav:"Kind"`
	Minutes     int       `dynamodbav:"Minutes"`
	ShiftID     string    `dynamodbav:"ShiftID"`
	Reason      string    `dynamodbav:"Reason"`
	By          string    `dynamodbav:"By"`
	At          time.Time `dynamodbav:"At"`
}

func newLedgerItem(e volunteer.Entry) ledgerItem {
	return ledgerItem{Keys: dynamo.Keys{PK: dynamo.VolunteerPK(e.VolunteerID), SK: dynamo.LedgerSK(e.At, e.ID)}, ID: e.ID, VolunteerID: e.VolunteerID,
		Kind: e.Kind, Minutes: e.Minutes, ShiftID: e.ShiftID, Reason: e.Reason, By: e.By, At: e.At}
}

func (it ledgerItem) entry() volunteer.Entry {
	return volunteer.Entry{ID: it.ID, VolunteerID: it.VolunteerID, Kind: it.Kind, Minutes: it.Minutes, ShiftID: it.ShiftID,
		Reason: it.Reason, By: it.By, At: it.At}
}

// shiftItem is a volunteer.Shift in the table.
type shiftItem struct {
	dynamo.Keys
	dynamo.GSI1
	dynamo.GSI2
	ID             string       `dynamodbav:"ID"`
	Title          string       `dynamodbav:"Title"`
	VenueID        string       `dynamodbav:"VenueID"`
	DistrictID     string       `dynamodbav:"DistrictID"`
	DistrictPath   string       `dynamodbav:"DistrictPath"`
	StartsAt       time.Time    `dynamodbav:"StartsAt"`
	EndsAt         time.Time    `dynamodbav:"EndsAt"`
	Capacity       int          `dynamodbav:"Capacity"`
	SignedUp       int          `dynamodbav:"SignedUp"`
	Category       string       `dynamodbav:"Category"`
	GeofenceMeters int          `dynamodbav:"GeofenceMeters"`
	VenueLocation  locationAttr `dynamodbav:"VenueLocation"`
	Scene          string       `dynamodbav:"Scene"`
	QRURL          string       `dynamodbav:"QRURL"`
	QRText         string       `dynamodbav:"QRText,omitempty"`
	CreatedBy      string       `dynamodbav:"CreatedBy"`
	CreatedAt      time.Time    `dynamodbav:"CreatedAt"`
}

// locationAttr is a directory.Location in an item.
type locationAttr struct {
	Lat float64 `dynamodbav:"Lat"`
	Lng float64 `dynamodbav:"Lng"`
}

func (it shiftItem) shift() volunteer.Shift {
	return volunteer.Shift{ID: it.ID, Title: it.Title, VenueID: it.VenueID, DistrictID: it.DistrictID, DistrictPath: it.DistrictPath,
		StartsAt: it.StartsAt, EndsAt: it.EndsAt, Capacity: it.Capacity, SignedUp: it.SignedUp, Category: volunteer.Category(it.Category),
		GeofenceMeters: it.GeofenceMeters, VenueLocation: directory.Location{Lat: it.VenueLocation.Lat, Lng: it.VenueLocation.Lng},
		Scene: it.Scene, QRURL: it.QRURL, QRText: it.QRText, CreatedBy: it.CreatedBy, CreatedAt: it.CreatedAt}
}

// signupItem is a sign-up; times are strings so that absent ones are absent attributes
// (conditions test attribute_not_exists(CheckedInAt)).
type signupItem struct {
	dynamo.Keys
	dynamo.GSI1
	dynamo.SparseGSI3
	ShiftID       string `dynamodbav:"ShiftID"`
	VolunteerID   string `dynamodbav:"VolunteerID"`
	Status        string `dynamodbav:"Status"`
	SignedUpAt    string `dynamodbav:"SignedUpAt"`
	CheckedInAt   string `dynamodbav:"CheckedInAt,omitempty"`
	CheckedOutAt  string `dynamodbav:"CheckedOutAt,omitempty"`
	ClosedBy      string `dynamodbav:"ClosedBy,omitempty"`
	CreditMinutes int    `dynamodbav:"CreditMinutes"`
	Title         string `dynamodbav:"Title"`
	VenueID       string `dynamodbav:"VenueID"`
	StartsAt      string `dynamodbav:"StartsAt"`
	EndsAt        string `dynamodbav:"EndsAt"`
}

// newSignupItem is the item of a sign-up, on GSI1 in its volunteer's list and, while
// checked in and not out, on GSI3 among the open check-ins.
func newSignupItem(sg volunteer.Signup) signupItem {
	it := signupItem{
		Keys:    dynamo.Keys{PK: dynamo.ShiftPK(sg.ShiftID), SK: dynamo.SignupSK(sg.VolunteerID)},
		GSI1:    dynamo.GSI1{PK: dynamo.VolunteerSignupsPK(sg.VolunteerID), SK: dynamo.TimeKey(sg.StartsAt) + "#" + sg.ShiftID},
		ShiftID: sg.ShiftID, VolunteerID: sg.VolunteerID, Status: sg.Status, SignedUpAt: dynamo.RFC3339Nano(sg.SignedUpAt),
		CreditMinutes: sg.CreditMinutes, Title: sg.Title, VenueID: sg.VenueID, StartsAt: dynamo.RFC3339Nano(sg.StartsAt), EndsAt: dynamo.RFC3339Nano(sg.EndsAt),
	}
	if !sg.CheckedInAt.IsZero() {
		it.CheckedInAt = dynamo.RFC3339Nano(sg.CheckedInAt)
	}
	if !sg.CheckedOutAt.IsZero() {
		it.CheckedOutAt = dynamo.RFC3339Nano(sg.CheckedOutAt)
	}
	if it.CheckedInAt != "" && it.CheckedOutAt == "" {
		it.SparseGSI3 = dynamo.SparseGSI3{PK: dynamo.OpenCheckIns.PK(sg.ShiftID + "#" + sg.VolunteerID), SK: dynamo.TimeKey(sg.EndsAt) + "#" + sg.ShiftID + "#" + sg.VolunteerID}
	}
	return it
}

func (it signupItem) signup() volunteer.Signup {
	parse := func(s string) time.Time { t, _ := time.Parse(time.RFC3339Nano, s); return t }
	return volunteer.Signup{
		ShiftID: it.ShiftID, VolunteerID: it.VolunteerID, Status: it.Status, SignedUpAt: parse(it.SignedUpAt),
		CheckedInAt: parse(it.CheckedInAt), CheckedOutAt: parse(it.CheckedOutAt), CreditMinutes: it.CreditMinutes,
		Title: it.Title, VenueID: it.VenueID, StartsAt: parse(it.StartsAt), EndsAt: parse(it.EndsAt),
	}
}

// scanItem records a scan that changed something, with the reply it got, for 30 days.
type scanItem struct {
	dynamo.Keys
	Reply     string `dynamodbav:"Reply"`
	CreatedAt string `dynamodbav:"createdAt"`
	ExpiresAt int64  `dynamodbav:"expiresAt"`
}

const scanTTL = 30 * 24 * time.Hour

// queueNotice adds to tx the message of a notice.
func queueNotice(tx *dynamo.Tx, n volunteer.Notice, now time.Time) {
	outboxdb.Queue(tx, n.Message(now))
}

// Apply writes the volunteer, its two guards and the notices in one transaction.
func (s *Volunteers) Apply(ctx context.Context, v volunteer.Volunteer, notices []volunteer.Notice) error {
	notExists := expression.AttributeNotExists(expression.Name("PK"))
	var tx dynamo.Tx
	tx.Put(newVolunteerItem(v), notExists, nil)
	tx.Put(guardItem{Keys: dynamo.Keys{PK: dynamo.UserPK(v.OpenID), SK: dynamo.SKVolunteer}, VolunteerID: v.ID}, notExists, volunteer.ErrAlreadyApplied)
	tx.Put(guardItem{Keys: dynamo.Keys{PK: dynamo.IDNumberPK(v.IDNumberHash), SK: dynamo.SKIDNumber}, VolunteerID: v.ID, KeyID: v.IDNumberKeyID}, notExists, volunteer.ErrIDNumberTaken)
	for _, n := range notices {
		queueNotice(&tx, n, v.AppliedAt)
	}
	return dynamo.Transact(ctx, s.DB, s.Table, "apply as volunteer", &tx)
}

// Volunteer reads one volunteer (consistently: decisions follow it).
func (s *Volunteers) Volunteer(ctx context.Context, id string) (volunteer.Volunteer, error) {
	it, err := dynamo.One[volunteerItem](ctx, s.DB, s.Table, "get volunteer", dynamo.VolunteerPK(id), dynamo.SKVolunteer, true, volunteer.ErrNotFound)
	return it.volunteer(), err
}

// VolunteerOf follows the person's guard to their volunteer record.
func (s *Volunteers) VolunteerOf(ctx context.Context, openid string) (volunteer.Volunteer, error) {
	g, _, err := dynamo.Get[guardItem](ctx, s.DB, s.Table, "get volunteer of person", dynamo.UserPK(openid), dynamo.SKVolunteer, true)
	if err != nil {
		return volunteer.Volunteer{}, err
	}
	if g.VolunteerID == "" {
		return volunteer.Volunteer{}, volunteer.ErrNotApplied
	}
	v, err := s.Volunteer(ctx, g.VolunteerID)
	if errors.Is(err, volunteer.ErrNotFound) {
		return volunteer.Volunteer{}, volunteer.ErrNotApplied
	}
	return v, err
}

// Transition changes the status under a condition on the old one, appends the history
// line, grants or removes the volunteer role on the person's profile, and writes the
// notices, in one transaction.
func (s *Volunteers) Transition(ctx context.Context, v volunteer.Volunteer, ch volunteer.Change, notices []volunteer.Notice) error {
	upd := expression.Set(expression.Name("Status"), expression.Value(string(ch.To))).
		Set(expression.Name("StatusReason"), expression.Value(ch.Reason)).
		Set(expression.Name("UpdatedAt"), expression.Value(ch.At.UTC())).
		Set(expression.Name("GSI1PK"), expression.Value(dynamo.VolunteersByStatusPK(string(ch.To))))
	if ch.To == volunteer.StatusActive {
		upd = renewal(upd, v.ID, v.ReconfirmBy)
	}
	var tx dynamo.Tx
	tx.Update(dynamo.VolunteerPK(v.ID), dynamo.SKVolunteer, upd,
		expression.Name("Status").Equal(expression.Value(string(ch.From))), volunteer.ErrTransition)
	tx.Put(historyItem{Keys: dynamo.Keys{PK: dynamo.VolunteerPK(v.ID), SK: dynamo.HistorySK(ch.At, ch.ID)}, ID: ch.ID, VolunteerID: ch.VolunteerID,
		Action: string(ch.Action), From: string(ch.From), To: string(ch.To), Reason: ch.Reason, By: ch.By, At: ch.At},
		expression.AttributeNotExists(expression.Name("PK")), nil)
	role := &types.AttributeValueMemberSS{Value: []string{auth.RoleVolunteer}}
	var (
		roles   expression.UpdateBuilder
		touched = true
	)
	switch {
	case ch.To == volunteer.StatusActive:
		roles = expression.Add(expression.Name("roles"), expression.Value(role))
	case ch.From == volunteer.StatusActive:
		roles = expression.Delete(expression.Name("roles"), expression.Value(role))
	default:
		touched = false
	}
	if touched {
		roles = roles.Set(expression.Name("openid"), expression.Value(v.OpenID))
		tx.Update(dynamo.UserPK(v.OpenID), dynamo.SKProfile, roles, expression.ConditionBuilder{}, nil)
	}
	for _, n := range notices {
		queueNotice(&tx, n, ch.At)
	}
	return dynamo.Transact(ctx, s.DB, s.Table, "change volunteer status", &tx)
}

// History returns the status changes, oldest first.
func (s *Volunteers) History(ctx context.Context, id string) ([]volunteer.Change, error) {
	return dynamo.QueryAllAs(ctx, s.DB, s.Table, "volunteer history", dynamo.Query{Key: dynamo.Partition("", dynamo.VolunteerPK(id), dynamo.SKHistory), Consistent: true}, historyItem.change)
}

// Volunteers lists a status in a subtree from GSI1.
func (s *Volunteers) Volunteers(ctx context.Context, status volunteer.Status, path string) ([]volunteer.Volunteer, error) {
	prefix := ""
	if path != "" {
		prefix = path + "#"
	}
	items, err := dynamo.QueryAll[volunteerItem](ctx, s.DB, s.Table, "list volunteers", dynamo.Query{Index: "GSI1", Key: dynamo.Partition("GSI1", dynamo.VolunteersByStatusPK(string(status)), prefix)})
	if err != nil {
		return nil, err
	}
	out := []volunteer.Volunteer{}
	for _, it := range items {
		out = append(out, it.volunteer())
	}
	// A path's own volunteers sort under "<path>#"; its subtree's under "<path>/".
	if path != "" {
		sub, err := dynamo.QueryAll[volunteerItem](ctx, s.DB, s.Table, "list volunteers", dynamo.Query{Index: "GSI1", Key: dynamo.Partition("GSI1", dynamo.VolunteersByStatusPK(string(status)), path+"/")})
		if err != nil {
			return nil, err
		}
		for _, it := range sub {
			out = append(out, it.volunteer())
		}
	}
	return out, nil
}

// PutShift writes a new shift, indexed by start time and by venue.
func (s *Volunteers) PutShift(ctx context.Context, sh volunteer.Shift) error {
	startKey := dynamo.TimeKey(sh.StartsAt) + "#" + sh.ID
	it := shiftItem{
		Keys: dynamo.Keys{PK: dynamo.ShiftPK(sh.ID), SK: dynamo.SKShift}, GSI1: dynamo.GSI1{PK: dynamo.GSIShifts, SK: startKey},
		GSI2: dynamo.GSI2{PK: dynamo.VenueShiftsPK(sh.VenueID), SK: startKey},
		ID:   sh.ID, Title: sh.Title, VenueID: sh.VenueID, DistrictID: sh.DistrictID, DistrictPath: sh.DistrictPath,
		StartsAt: sh.StartsAt, EndsAt: sh.EndsAt, Capacity: sh.Capacity, SignedUp: sh.SignedUp, Category: string(sh.Category),
		GeofenceMeters: sh.GeofenceMeters, VenueLocation: locationAttr{Lat: sh.VenueLocation.Lat, Lng: sh.VenueLocation.Lng},
		Scene: sh.Scene, QRURL: sh.QRURL, QRText: sh.QRText, CreatedBy: sh.CreatedBy, CreatedAt: sh.CreatedAt,
	}
	return dynamo.Put(ctx, s.DB, s.Table, "put shift", it, expression.AttributeNotExists(expression.Name("PK")))
}

// Shift reads one shift.
func (s *Volunteers) Shift(ctx context.Context, id string) (volunteer.Shift, error) {
	it, err := dynamo.One[shiftItem](ctx, s.DB, s.Table, "get shift", dynamo.ShiftPK(id), dynamo.SKShift, true, volunteer.ErrShiftNotFound)
	return it.shift(), err
}

// Shifts lists shifts starting at or after from, from GSI1.
func (s *Volunteers) Shifts(ctx context.Context, from time.Time) ([]volunteer.Shift, error) {
	return s.shifts(ctx, "", dynamo.GSIShifts, from, time.Time{})
}

// ShiftsBetween lists the shifts starting between from and to, from GSI1.
func (s *Volunteers) ShiftsBetween(ctx context.Context, from, to time.Time) ([]volunteer.Shift, error) {
	return s.shifts(ctx, "", dynamo.GSIShifts, from, to)
}

// ShiftsAtVenue lists a venue's shifts starting between from and to, from GSI2.
func (s *Volunteers) ShiftsAtVenue(ctx context.Context, venueID string, from, to time.Time) ([]volunteer.Shift, error) {
	return s.shifts(ctx, "GSI2", dynamo.VenueShiftsPK(venueID), from, to)
}

func (s *Volunteers) shifts(ctx context.Context, index, pk string, from, to time.Time) ([]volunteer.Shift, error) {
	pkName, skName := "GSI1PK", "GSI1SK"
	if index == "GSI2" {
		pkName, skName = "GSI2PK", "GSI2SK"
	} else {
		index = "GSI1"
	}
	cond := expression.Key(pkName).Equal(expression.Value(pk))
	if to.IsZero() {
		cond = cond.And(expression.Key(skName).GreaterThanEqual(expression.Value(dynamo.TimeKey(from))))
	} else {
		cond = cond.And(expression.Key(skName).Between(expression.Value(dynamo.TimeKey(from)), expression.Value(dynamo.TimeKey(to)+"~")))
	}
	items, err := dynamo.QueryAll[shiftItem](ctx, s.DB, s.Table, "list shifts", dynamo.Query{Index: index, Key: cond})
	if err != nil {
		return nil, err
	}
	out := []volunteer.Shift{}
	for _, it := range items {
		out = append(out, it.shift())
	}
	return out, nil
}

// SignUp counts the place on the shift (under the capacity) and writes the sign-up
// (new, or replacing a withdrawn one) in one transaction.
func (s *Volunteers) SignUp(ctx context.Context, sh volunteer.Shift, sg volunteer.Signup) error {
	sg.Status = volunteer.SignedUp
	var tx dynamo.Tx // the sign-up first: signed up already says more than full
	tx.Put(newSignupItem(sg), expression.AttributeNotExists(expression.Name("PK")).Or(
		expression.Name("Status").Equal(expression.Value(volunteer.Withdrawn))), volunteer.ErrAlreadySignedUp)
	tx.Update(dynamo.ShiftPK(sh.ID), dynamo.SKShift,
		expression.Add(expression.Name("SignedUp"), expression.Value(1)),
		expression.Name("SignedUp").LessThan(expression.Name("Capacity")), volunteer.ErrShiftFull)
	return dynamo.Transact(ctx, s.DB, s.Table, "sign up", &tx)
}

// Withdraw marks the sign-up withdrawn (only before check-in) and gives the place back.
func (s *Volunteers) Withdraw(ctx context.Context, sh volunteer.Shift, volunteerID string, at time.Time) error {
	var tx dynamo.Tx
	tx.Update(dynamo.ShiftPK(sh.ID), dynamo.SignupSK(volunteerID),
		expression.Set(expression.Name("Status"), expression.Value(volunteer.Withdrawn)).
			Set(expression.Name("WithdrawnAt"), expression.Value(dynamo.RFC3339Nano(at))),
		expression.Name("Status").Equal(expression.Value(volunteer.SignedUp)).
			And(expression.AttributeNotExists(expression.Name("CheckedInAt"))), volunteer.ErrNotSignedUp)
	tx.Update(dynamo.ShiftPK(sh.ID), dynamo.SKShift,
		expression.Add(expression.Name("SignedUp"), expression.Value(-1)),
		expression.Name("SignedUp").GreaterThan(expression.Value(0)), nil)
	err := dynamo.Transact(ctx, s.DB, s.Table, "withdraw", &tx)
	if errors.Is(err, volunteer.ErrNotSignedUp) { // or served already: say which
		sg, found, err := s.Signup(ctx, sh.ID, volunteerID)
		if err != nil {
			return err
		}
		if found && sg.Status == volunteer.SignedUp && !sg.CheckedInAt.IsZero() {
			return volunteer.ErrAlreadyServed
		}
		return volunteer.ErrNotSignedUp
	}
	return err
}

// Signup reads one sign-up.
func (s *Volunteers) Signup(ctx context.Context, shiftID, volunteerID string) (volunteer.Signup, bool, error) {
	it, found, err := dynamo.Get[signupItem](ctx, s.DB, s.Table, "get signup", dynamo.ShiftPK(shiftID), dynamo.SignupSK(volunteerID), true)
	if err != nil || !found {
		return volunteer.Signup{}, false, err
	}
	return it.signup(), true, nil
}

// Signups lists a volunteer's sign-ups from GSI1, by shift start.
func (s *Volunteers) Signups(ctx context.Context, volunteerID string) ([]volunteer.Signup, error) {
	return dynamo.QueryAllAs(ctx, s.DB, s.Table, "list signups", dynamo.Query{Index: "GSI1", Key: dynamo.Partition("GSI1", dynamo.VolunteerSignupsPK(volunteerID), "")}, signupItem.signup)
}

// Roster lists a shift's sign-ups from its partition.
func (s *Volunteers) Roster(ctx context.Context, shiftID string) ([]volunteer.Signup, error) {
	return dynamo.QueryAllAs(ctx, s.DB, s.Table, "shift roster", dynamo.Query{Key: dynamo.Partition("", dynamo.ShiftPK(shiftID), dynamo.SKSignup), Consistent: true}, signupItem.signup)
}

// ScanReply reads a recorded scan (consistently) and its reply.
func (s *Volunteers) ScanReply(ctx context.Context, k volunteer.ScanKey) (string, bool, error) {
	it, _, err := dynamo.Get[scanItem](ctx, s.DB, s.Table, "get scan", dynamo.ShiftPK(k.ShiftID), dynamo.ScanSK(k.VolunteerID, k.At), true)
	if err != nil {
		return "", false, err
	}
	return it.Reply, it.PK != "", nil
}

// recordScan adds to tx the record of a scan that changed something, once.
func recordScan(tx *dynamo.Tx, k volunteer.ScanKey, reply string) {
	tx.Put(scanItem{
		Keys: dynamo.Keys{PK: dynamo.ShiftPK(k.ShiftID), SK: dynamo.ScanSK(k.VolunteerID, k.At)}, Reply: reply,
		CreatedAt: dynamo.TimeKey(k.At), ExpiresAt: k.At.Add(scanTTL).Unix(),
	}, expression.AttributeNotExists(expression.Name("PK")), volunteer.ErrDuplicateScan)
}

// CheckIn records the scan and the check-in, and lists the sign-up as open on GSI3.
func (s *Volunteers) CheckIn(ctx context.Context, k volunteer.ScanKey, reply string, sg volunteer.Signup) error {
	var tx dynamo.Tx
	recordScan(&tx, k, reply)
	// A Put of the whole sign-up rather than an Update adding GSI3: the embedded engine
	// corrupts an index when an Update adds index keys to an item it did not index
	// (docs/decisions.md); on DynamoDB both are one write.
	sg.CheckedInAt = k.At
	tx.Put(newSignupItem(sg),
		expression.Name("Status").Equal(expression.Value(volunteer.SignedUp)).
			And(expression.AttributeNotExists(expression.Name("CheckedInAt"))), volunteer.ErrStale)
	return dynamo.Transact(ctx, s.DB, s.Table, "check in", &tx)
}

// CheckOut records the scan (when k is not nil), closes the sign-up, and appends the
// credit entry with its total (when credit is not nil), in one transaction.
func (s *Volunteers) CheckOut(ctx context.Context, k *volunteer.ScanKey, reply string, sg volunteer.Signup, out time.Time, credit *volunteer.Entry, renew time.Time) error {
	var tx dynamo.Tx
	if k != nil {
		recordScan(&tx, *k, reply)
	}
	closedBy := "scan"
	if k == nil {
		closedBy = "scheduler"
	}
	minutes := 0
	if credit != nil {
		minutes = credit.Minutes
	}
	tx.Update(dynamo.ShiftPK(sg.ShiftID), dynamo.SignupSK(sg.VolunteerID),
		expression.Set(expression.Name("CheckedOutAt"), expression.Value(dynamo.RFC3339Nano(out))).
			Set(expression.Name("CreditMinutes"), expression.Value(minutes)).
			Set(expression.Name("ClosedBy"), expression.Value(closedBy)).
			Remove(expression.Name("GSI3PK")).Remove(expression.Name("GSI3SK")),
		expression.AttributeExists(expression.Name("CheckedInAt")).
			And(expression.AttributeNotExists(expression.Name("CheckedOutAt"))), volunteer.ErrStale)
	if credit != nil {
		tx.Put(newLedgerItem(*credit),
			expression.AttributeNotExists(expression.Name("PK")), nil)
		tx.Update(dynamo.VolunteerPK(sg.VolunteerID), dynamo.SKVolunteer,
			renewal(addServed(expression.Add(expression.Name("CreditMinutes"), expression.Value(credit.Minutes)), credit.At, credit.Minutes), sg.VolunteerID, renew),
			expression.AttributeExists(expression.Name("PK")), nil)
	}
	return dynamo.Transact(ctx, s.DB, s.Table, "check out", &tx)
}

// OpenCheckIns lists open check-ins of shifts ended by endedBy, from GSI3.
func (s *Volunteers) OpenCheckIns(ctx context.Context, endedBy time.Time) ([]volunteer.Signup, error) {
	items, err := dynamo.QueryShardsAll[signupItem](ctx, s.DB, s.Table, "open check-ins", dynamo.OpenCheckIns, dynamo.Query{Index: "GSI3"}, dynamo.DueBy("GSI3", endedBy))
	if err != nil {
		return nil, err
	}
	return dynamo.Convert(items, func(it signupItem) volunteer.Signup { return it.signup() }), nil
}

// honourYearAttr is the attribute counting a volunteer's honour minutes of a year.
func honourYearAttr(t time.Time) string {
	return "HonourMinutes" + strconv.Itoa(t.In(beijing.Zone).Year())
}

// servedAttrs are the attributes counting a volunteer's minutes of all kinds in the
// year and the month of t (Served2026, Served202611), which leaderboards rank by.
func servedAttrs(t time.Time) []string {
	t = t.In(beijing.Zone)
	return []string{"Served" + t.Format("2006"), "Served" + t.Format("200601")}
}

// addServed adds minutes to the period counters of t.
func addServed(upd expression.UpdateBuilder, t time.Time, minutes int) expression.UpdateBuilder {
	for _, a := range servedAttrs(t) {
		upd = upd.Add(expression.Name(a), expression.Value(minutes))
	}
	return upd
}

// AddEntry appends a staff entry and moves its total under its cap, in one transaction.
func (s *Volunteers) AddEntry(ctx context.Context, e volunteer.Entry, yearCap int) error {
	var (
		upd  expression.UpdateBuilder
		cond = expression.AttributeExists(expression.Name("PK"))
	)
	switch e.Kind {
	case volunteer.EntryHonour:
		if e.Minutes > yearCap {
			return volunteer.ErrHonourCapped
		}
		year := expression.Name(honourYearAttr(e.At))
		upd = expression.Add(expression.Name("HonourMinutes"), expression.Value(e.Minutes)).Add(year, expression.Value(e.Minutes))
		cond = cond.And(expression.AttributeNotExists(year).Or(year.LessThanEqual(expression.Value(yearCap - e.Minutes))))
	default:
		upd = expression.Add(expression.Name("CreditMinutes"), expression.Value(e.Minutes))
		if e.Minutes < 0 {
			cond = cond.And(expression.Name("CreditMinutes").GreaterThanEqual(expression.Value(-e.Minutes)))
		}
	}
	capped := volunteer.ErrCreditNegated
	if e.Kind == volunteer.EntryHonour {
		capped = volunteer.ErrHonourCapped
	}
	var tx dynamo.Tx
	tx.Put(newLedgerItem(e),
		expression.AttributeNotExists(expression.Name("PK")), nil)
	tx.Update(dynamo.VolunteerPK(e.VolunteerID), dynamo.SKVolunteer, addServed(upd, e.At, e.Minutes), cond, capped)
	return dynamo.Transact(ctx, s.DB, s.Table, "add ledger entry", &tx)
}

// Ledger lists a volunteer's entries, oldest first.
func (s *Volunteers) Ledger(ctx context.Context, volunteerID string) ([]volunteer.Entry, error) {
	return dynamo.QueryAllAs(ctx, s.DB, s.Table, "volunteer ledger", dynamo.Query{Key: dynamo.Partition("", dynamo.VolunteerPK(volunteerID), dynamo.SKLedger), Consistent: true}, ledgerItem.entry)
}

// Scope returns the district the person looks after, or "".
func (s *Volunteers) Scope(ctx context.Context, openid string) (string, error) {
	it, _, err := dynamo.Get[directorydb.ScopeItem](ctx, s.DB, s.Table, "get scope", dynamo.UserPK(openid), dynamo.SKScope, true)
	if err != nil {
		return "", err
	}
	return it.DistrictID, nil
}

// Appoint makes openid a coordinator or staff member of a district: the role on their
// profile and the scope item, indexed by the district's path, in one transaction.
func (s *Volunteers) Appoint(ctx context.Context, openid, role string, d directory.District, at time.Time) error {
	var tx dynamo.Tx
	tx.Put(directorydb.NewScopeItem(openid, role, d), expression.ConditionBuilder{}, nil)
	tx.Update(dynamo.UserPK(openid), dynamo.SKProfile,
		accountdb.BumpSession(expression.Add(expression.Name("roles"), expression.Value(&types.AttributeValueMemberSS{Value: []string{role}}))).
			Set(expression.Name("openid"), expression.Value(openid)).
			Set(expression.Name("createdAt"), expression.IfNotExists(expression.Name("createdAt"), expression.Value(dynamo.TimeKey(at)))).
			Set(expression.Name("subscribed"), expression.IfNotExists(expression.Name("subscribed"), expression.Value(false))),
		expression.ConditionBuilder{}, nil)
	return dynamo.Transact(ctx, s.DB, s.Table, "appoint", &tx)
}

// Dismiss deletes openid's scope item and takes the coordinator and staff roles from
// their profile, raising its session version, in one transaction; ErrNotAppointed when
// there was no scope item.
func (s *Volunteers) Dismiss(ctx context.Context, openid string, at time.Time) error {
	var tx dynamo.Tx
	tx.Delete(dynamo.UserPK(openid), dynamo.SKScope, expression.AttributeExists(expression.Name("PK")), volunteer.ErrNotAppointed)
	tx.Update(dynamo.UserPK(openid), dynamo.SKProfile,
		accountdb.BumpSession(expression.Delete(expression.Name("roles"), expression.Value(&types.AttributeValueMemberSS{Value: []string{auth.RoleCoordinator, auth.RoleStaff}}))).
			Set(expression.Name("dismissedAt"), expression.Value(dynamo.TimeKey(at))),
		expression.ConditionBuilder{}, nil)
	return dynamo.Transact(ctx, s.DB, s.Table, "dismiss", &tx)
}

// Coordinators lists the coordinators whose scope is exactly the district at path.
func (s *Volunteers) Coordinators(ctx context.Context, path string) ([]string, error) {
	items, err := dynamo.QueryAll[directorydb.ScopeItem](ctx, s.DB, s.Table, "list coordinators", dynamo.Query{Index: "GSI3", Key: dynamo.Partition("GSI3", dynamo.GSIScopes, path+"#")})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, it := range items {
		if it.Role == auth.RoleCoordinator {
			out = append(out, it.OpenID)
		}
	}
	return out, nil
}

// Appointees lists the staff and coordinators of a district and its subtree.
func (s *Volunteers) Appointees(ctx context.Context, path string) ([]training.Appointee, error) {
	var items []directorydb.ScopeItem
	for _, prefix := range []string{path + "#", path + "/"} {
		part, err := dynamo.QueryAll[directorydb.ScopeItem](ctx, s.DB, s.Table, "list appointees", dynamo.Query{Index: "GSI3", Key: dynamo.Partition("GSI3", dynamo.GSIScopes, prefix)})
		if err != nil {
			return nil, err
		}
		items = append(items, part...)
	}
	return dynamo.Convert(items, func(it directorydb.ScopeItem) training.Appointee {
		return training.Appointee{OpenID: it.OpenID, Role: it.Role, DistrictID: it.DistrictID, Level: directory.Level(it.Level)}
	}), nil
}

// LastLocation reads the last location WeChat reported for the person (the WeChat
// callback keeps it on the profile from LOCATION events).
func (s *Volunteers) LastLocation(ctx context.Context, openid string) (volunteer.Fix, bool, error) {
	loc, ok, err := (&accountdb.People{DB: s.DB, Table: s.Table}).LastLocation(ctx, openid)
	if err != nil || !ok {
		return volunteer.Fix{}, false, err
	}
	return volunteer.Fix{Location: directory.Location{Lat: loc.Lat, Lng: loc.Lng}, At: loc.At}, true, nil
}

// Confirm renews an active volunteer's registration.
func (s *Volunteers) Confirm(ctx context.Context, id string, by time.Time) error {
	_, err := dynamo.Update(ctx, s.DB, s.Table, "confirm volunteer", dynamo.VolunteerPK(id), dynamo.SKVolunteer,
		renewal(expression.Set(expression.Name("Inactive"), expression.Value(false)), id, by),
		expression.Name("Status").Equal(expression.Value(string(volunteer.StatusActive))), types.ReturnValueNone)
	if errors.Is(err, dynamo.ErrConditionFailed) {
		return volunteer.ErrNotActive
	}
	return err
}

// DueForReview lists the volunteers whose next review is due, from GSI2.
func (s *Volunteers) DueForReview(ctx context.Context, now time.Time) ([]volunteer.Volunteer, error) {
	items, err := dynamo.QueryShardsAll[volunteerItem](ctx, s.DB, s.Table, "volunteers due for review", dynamo.ReviewQueue, dynamo.Query{Index: "GSI2"}, dynamo.DueBy("GSI2", now))
	if err != nil {
		return nil, err
	}
	return dynamo.Convert(items, volunteerItem.volunteer), nil
}

// Review flags and reschedules a volunteer, under a condition that they have neither
// changed status nor renewed since they were read, with the reminder.
func (s *Volunteers) Review(ctx context.Context, v volunteer.Volunteer, flag bool, now, next time.Time, notice *volunteer.Notice) error {
	upd := expression.Set(expression.Name("GSI2SK"), expression.Value(dynamo.ReviewSK(next, v.ID)))
	if flag {
		upd = upd.Set(expression.Name("Inactive"), expression.Value(true))
	}
	var tx dynamo.Tx
	tx.Update(dynamo.VolunteerPK(v.ID), dynamo.SKVolunteer, upd,
		expression.Name("Status").Equal(expression.Value(string(v.Status))).
			And(expression.Name("ReconfirmBy").Equal(expression.Value(v.ReconfirmBy.UTC()))), volunteer.ErrStale)
	if notice != nil {
		queueNotice(&tx, *notice, now)
	}
	err := dynamo.Transact(ctx, s.DB, s.Table, "review volunteer", &tx)
	if errors.Is(err, dynamo.ErrConditionFailed) { // the reminder was queued already
		return volunteer.ErrStale
	}
	return err
}

// Leaderboard returns the active volunteers of a district's subtree ("" for the city)
// with their minutes in a period ("2026" or "202611"), from GSI1: one Query per part of
// the subtree, ranked in memory (a county has a few thousand volunteers at most).
func (s *Volunteers) Leaderboard(ctx context.Context, path, period string) ([]volunteer.Ranked, error) {
	pk := dynamo.VolunteersByStatusPK(string(volunteer.StatusActive))
	prefixes := []string{""}
	if path != "" {
		prefixes = []string{path + "#", path + "/"}
	}
	var out []volunteer.Ranked
	for _, prefix := range prefixes {
		raw, err := dynamo.QueryItems(ctx, s.DB, s.Table, "leaderboard", dynamo.Query{Index: "GSI1", Key: dynamo.Partition("GSI1", pk, prefix)})
		if err != nil {
			return nil, err
		}
		for _, item := range raw {
			var it volunteerItem
			if err := attributevalue.UnmarshalMap(item, &it); err != nil {
				return nil, fmt.Errorf("leaderboard: %w", err)
			}
			var minutes int
			if av, ok := item["Served"+period]; ok {
				_ = attributevalue.Unmarshal(av, &minutes)
			}
			if minutes > 0 {
				out = append(out, volunteer.Ranked{Volunteer: it.volunteer(), Minutes: minutes})
			}
		}
	}
	return out, nil
}

// DecodeVolunteer reads a volunteer item (the counters' stream consumer counts them).
func DecodeVolunteer(raw dynamo.Item) (volunteer.Volunteer, error) {
	var it volunteerItem
	if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
		return volunteer.Volunteer{}, fmt.Errorf("decode volunteer: %w", err)
	}
	return it.volunteer(), nil
}

package booking

import (
	"context"
	"errors"
	"strings"

	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/privacy"
)

// A booking made for a family member (a dependant) is held by the holder
// "<person id>~<dependant id>": one booking per dependant per slot, the per-activity
// limit and the no-show strikes counted per dependant, all keyed as a person's are;
// the person lists it with their own bookings and is told about it. The dependant's id
// ends the booking's id too (BookingID(slot, "<random>~<dependant>")), so a booking is
// found from its id and the person who made it.
const holderSep = "~"

// Holder returns the holder of a booking person makes for dependant ("" for themselves).
func Holder(person, dependant string) string {
	if dependant == "" {
		return person
	}
	return person + holderSep + dependant
}

// PersonOf returns the person who holds or made a booking of holder.
func PersonOf(holder string) string {
	p, _, _ := strings.Cut(holder, holderSep)
	return p
}

// dependantOfBooking returns the dependant a booking id was made for ("" for none).
func dependantOfBooking(id string) string {
	_, d, _ := strings.Cut(id, holderSep)
	return d
}

// Family names a resident's dependants for their bookings, and keeps the ID numbers
// real-name sessions take.
type Family interface {
	// DependantLabel returns how a ticket names the dependant (王秀英（母亲）), or an
	// error (the account's not-found error when person has no such dependant).
	DependantLabel(ctx context.Context, person, id string) (string, error)
	// IDNumberOnFile returns the ID number on file for person (dependant "") or for
	// their dependant (the zero IDNumber when none), with the dependant's stated year of
	// birth (0: none given). For the person themselves, when their own item holds none,
	// the number of their volunteer record serves.
	IDNumberOnFile(ctx context.Context, person, dependant string) (n IDNumber, birthYear int, err error)
}

// IDNumber is an ID number as it is kept: the keyed hash (privacy.HashIDNumber), the
// key's id, the masked form and the year of birth it states. The number itself is never
// kept, returned or logged.
type IDNumber struct {
	Hash, KeyID, Masked string
	BirthYear           int
}

// IDRecord is the ID number a real-name booking carries (docs/decisions.md, "A
// real-name session takes every ID number once"): whose it is (Person, or their
// Dependant), the number, and whether the booking's own transaction records it on their
// item (Record: none is on file yet, or the one on file was hashed with another key).
// The same transaction takes the session's guard of the number (Booking.IDGuard), so a
// refused booking records nothing and a number is booked once per session.
type IDRecord struct {
	Person, Dependant string
	Number            IDNumber
	Record            bool
}

// The refusals of a real-name booking and of a family member's.
var (
	ErrNoFamily            = fault.New(fault.Invalid, "dependant_unknown", "找不到这位家人，请先在“我的家人”中添加")
	ErrIDNumberRequired    = fault.New(fault.Invalid, "id_number_required", "本场次为实名制：为家人预约，请填写这位家人的身份证号码")
	ErrOwnIDNumberRequired = fault.New(fault.Invalid, "id_number_required", "本场次为实名制：请填写您本人的身份证号码")
	ErrIDNumberInvalid     = fault.New(fault.Invalid, "id_number_invalid", "身份证号码无效，请检查后重新填写")
	ErrIDNumberMismatch    = fault.New(fault.Conflict, "id_number_mismatch", "身份证号码与这位家人已登记的号码或出生年份不一致，请核对后重新填写")
	ErrOwnIDNumberMismatch = fault.New(fault.Conflict, "id_number_mismatch", "身份证号码与您已登记的号码不一致，请核对后重新填写")
	ErrIDNumberTaken       = fault.New(fault.Conflict, "id_number_taken", "该身份证号码已预约过本场次：同一证件每个场次只能预约一次")
)

// idRecord checks the ID number a real-name session's booking carries against the one
// on file for whom it is made (the caller, or r.For), and returns what the booking's
// transaction records and guards. Nothing is written here.
func (s *Service) idRecord(ctx context.Context, person string, r Request) (IDRecord, error) {
	if len(s.IDKey) == 0 || s.Family == nil {
		return IDRecord{}, errors.New("book: no ID number hash key (ID_HASH_KEY): no real-name booking")
	}
	required, mismatch := ErrOwnIDNumberRequired, ErrOwnIDNumberMismatch
	if r.For != "" {
		required, mismatch = ErrIDNumberRequired, ErrIDNumberMismatch
	}
	var n IDNumber
	if id := strings.ToUpper(strings.TrimSpace(r.IDNumber)); id != "" {
		if !privacy.ValidIDNumber(id) {
			return IDRecord{}, ErrIDNumberInvalid
		}
		n = IDNumber{Hash: privacy.HashIDNumber(s.IDKey, id), KeyID: privacy.IDKeyID(s.IDKey), Masked: privacy.IDNumber(id), BirthYear: privacy.IDBirthYear(id)}
	}
	file, born, err := s.Family.IDNumberOnFile(ctx, person, r.For)
	if err != nil {
		return IDRecord{}, err
	}
	rec := IDRecord{Person: person, Dependant: r.For, Number: file}
	switch {
	case n.Hash == "" && file.Hash == "":
		return IDRecord{}, required
	case n.Hash == "":
		return rec, nil
	case born != 0 && born != n.BirthYear:
		return IDRecord{}, mismatch
	case file.Hash == n.Hash:
		return rec, nil
	case file.Hash != "" && file.KeyID == n.KeyID:
		return IDRecord{}, mismatch
	}
	rec.Number, rec.Record = n, true
	return rec, nil
}

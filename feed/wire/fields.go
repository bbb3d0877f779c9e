package wire

import (
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"strings"
	"sync"

	"github.com/vmihailenco/msgpack/v5"
)

// Decoding walks the top-level map: each key the type declares is checked
// by a reader (mpScan or jsScan, which never allocate on what the input
// declares), then decoded into its field by the library, one value at a
// time. The checks are what the libraries cannot be trusted with:
//
//   - sizes: a string, array or map beyond its bound (opBounds) is refused
//     before it is allocated, and the elements of a list are checked before
//     the list is decoded (msgpack v5.4.1 allocates what a length declares;
//     encoding/json has no bounds);
//   - nil/null: both libraries read it as the zero value, which would make
//     `"token":null` a missing token rather than a wrong type;
//   - integers: msgpack reads a negative value into an unsigned field as a
//     huge one and truncates to narrow fields (a uint32 checksum of 2^32
//     reads as 0);
//   - strings must be msgpack str, not bin (the library takes both);
//   - keys match exactly (encoding/json folds case, so "Channels" would be
//     read instead of ignored), and a key given twice is decoded afresh: the
//     last wins, and a map is never merged beyond its bound.

// fieldKind is what the checks know of a field.
type fieldKind uint8

const (
	kLibrary fieldKind = iota // bool, ID, custom types: the library is strict
	kString
	kUint
	kInt
	kStrings // []string
	kSince   // map[string]uint64
	kLevels  // []Level
	kSlice   // another slice
)

// field is one wire key of a struct.
type field struct {
	name      string
	index     []int
	kind      fieldKind
	bit       uint64 // presence bit in fill's result
	max, each int    // bounds (opBounds): length, or count and element length
}

// table describes a struct's wire keys, read once from its json tags.
type table struct {
	fields []field
	byName map[string]*field
	slices []int // fields of slice type, written as empty when nil
}

var tables sync.Map // reflect.Type → *table

// tableOf returns the table of struct type t. The bounds of opBounds apply
// to operations only.
func tableOf(t reflect.Type) *table {
	if v, ok := tables.Load(t); ok {
		return v.(*table)
	}
	tb := &table{byName: map[string]*field{}}
	tb.add(t, nil, reflect.PointerTo(t).Implements(reflect.TypeFor[Op]()))
	for i := range tb.fields {
		f := &tb.fields[i]
		f.bit = 1 << i
		tb.byName[f.name] = f
		if f.kind >= kStrings && f.kind != kSince {
			tb.slices = append(tb.slices, i)
		}
	}
	v, _ := tables.LoadOrStore(t, tb)
	return v.(*table)
}

func (tb *table) add(t reflect.Type, prefix []int, bounded bool) {
	for i := range t.NumField() {
		sf := t.Field(i)
		index := append(append([]int(nil), prefix...), i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		switch {
		case sf.Anonymous && name == "" && sf.Type.Kind() == reflect.Struct:
			tb.add(sf.Type, index, bounded) // Meta, BookLevels: inlined
			continue
		case !sf.IsExported() || name == "" || name == "-":
			continue
		}
		f := field{name: name, index: index, kind: fieldKindOf(sf.Type)}
		if bounded {
			b := opBounds[name]
			f.max, f.each = b[0], b[1]
		}
		tb.fields = append(tb.fields, f)
	}
}

func fieldKindOf(t reflect.Type) fieldKind {
	switch k := t.Kind(); {
	case k == reflect.String:
		return kString
	case k >= reflect.Uint && k <= reflect.Uint64:
		return kUint
	case k >= reflect.Int && k <= reflect.Int64:
		return kInt
	case t == reflect.TypeFor[[]string]():
		return kStrings
	case t == reflect.TypeFor[map[string]uint64]():
		return kSince
	case t == reflect.TypeFor[[]Level]():
		return kLevels
	case k == reflect.Slice:
		return kSlice
	}
	return kLibrary
}

// withEmptySlices returns a pointer to the struct v (or v points to), a
// copy if it has nil slices, which are made empty: both libraries write a
// nil slice as null, the protocol an empty array (`"asks":[]` is the most
// common book delta).
func withEmptySlices(v any) any {
	rv := reflect.ValueOf(v)
	var cp reflect.Value
	if rv.Kind() != reflect.Pointer { // an Op passed by value
		cp = reflect.New(rv.Type())
		cp.Elem().Set(rv)
		rv = cp
	}
	rv = rv.Elem()
	tb := tableOf(rv.Type())
	for _, i := range tb.slices {
		f := &tb.fields[i]
		if fv := rv.FieldByIndex(f.index); fv.IsNil() {
			if !cp.IsValid() {
				cp = reflect.New(rv.Type())
				cp.Elem().Set(rv)
			}
			cp.Elem().FieldByIndex(f.index).Set(reflect.MakeSlice(fv.Type(), 0, 0))
		}
	}
	if cp.IsValid() {
		return cp.Interface()
	}
	return v
}

// libDecoder decodes single values of one message with the library of its
// format.
type libDecoder struct {
	f    Format
	data []byte
	br   bytes.Reader // an io.ByteScanner: the msgpack decoder adds no buffer
	mp   *msgpack.Decoder
}

func newLibDecoder(f Format, data []byte) *libDecoder {
	d := &libDecoder{f: f, data: data}
	if f == MsgPack {
		d.br.Reset(data)
		d.mp = msgpack.NewDecoder(&d.br)
		d.mp.SetCustomStructTag("json")
	}
	return d
}

// decode decodes data[start:end] into v (addressable).
func (d *libDecoder) decode(start, end int, v reflect.Value) error {
	if d.f == JSON {
		return json.Unmarshal(d.data[start:end], v.Addr().Interface())
	}
	_, _ = d.br.Seek(int64(start), io.SeekStart)
	if err := d.mp.DecodeValue(v); err != nil {
		return err
	}
	if len(d.data)-d.br.Len() != end {
		return errSyntax
	}
	return nil
}

// fill decodes the map r is positioned on into the struct rv. It returns
// the bits of the keys present, and of those left empty for being too long
// when keepLong (an order rejects a long side, type, tif, qty or px with a
// reason instead of refusing it); or the key that failed ("" for the map
// itself) and why.
func (tb *table) fill(r reader, d *libDecoder, rv reflect.Value, keepLong bool) (seen, long uint64, key string, err error) {
	if err := r.openMap(0); err != nil {
		return 0, 0, "", err
	}
	for {
		ok, err := r.more()
		if err != nil || !ok {
			return seen, long, "", err
		}
		k, err := r.key()
		f, name := tb.byName[string(k)], ""
		switch {
		case err != nil:
		case f == nil:
			err = r.skip()
		default:
			fv := rv.FieldByIndex(f.index)
			fv.SetZero()
			seen, name = seen|f.bit, f.name
			if err = fillField(r, d, f, fv); err == errTooLong && keepLong {
				fv.SetZero()
				long, err = long|f.bit, nil
			}
		}
		if err != nil {
			return seen, long, name, err
		}
	}
}

// fillField checks the value at r against f and decodes it into fv.
func fillField(r reader, d *libDecoder, f *field, fv reflect.Value) error {
	if r.null() {
		return errType
	}
	start := r.pos()
	var err error
	switch f.kind {
	case kString:
		_, err = r.str(f.max)
	case kUint:
		var u uint64
		if u, err = r.uint(); err == nil && fv.OverflowUint(u) {
			err = errBig
		}
	case kInt:
		var i int64
		if i, err = r.int(); err == nil && fv.OverflowInt(i) {
			err = errBig
		}
	case kStrings:
		err = checkArray(r, f.max, func() error { _, err := r.str(f.each); return err })
	case kSince:
		err = checkSince(r, f.max, f.each)
	case kLevels: // msgpack allocates a slice of structs at its declared length
		err = checkArray(r, 0, func() error {
			return checkArray(r, 2, func() error { _, err := r.str(0); return err })
		})
	default:
		err = r.skip()
	}
	if err == errTooLong && f.kind == kString {
		err = r.skip() // still on it: get past it, for keepLong
		if err == nil {
			err = errTooLong
		}
	}
	if err != nil {
		return err
	}
	if err := d.decode(start, r.pos(), fv); err != nil {
		return errType
	}
	if f.kind >= kStrings && f.kind != kSince {
		if fv.Len() == 0 {
			fv.SetZero() // an empty array reads as nil, as it always has
		}
	}
	return nil
}

// checkArray checks an array of at most max elements (0: any) with elem.
func checkArray(r reader, max int, elem func() error) error {
	if err := r.openArray(max); err != nil {
		return err
	}
	for {
		if ok, err := r.more(); err != nil || !ok {
			return err
		}
		if err := elem(); err != nil {
			return err
		}
	}
}

// checkSince checks a map of at most max keys of at most each bytes to
// integers from 0 to MaxID.
func checkSince(r reader, max, each int) error {
	if err := r.openMap(max); err != nil {
		return err
	}
	for {
		ok, err := r.more()
		if err != nil || !ok {
			return err
		}
		k, err := r.key()
		switch {
		case err != nil:
			return err
		case each > 0 && len(k) > each:
			return errTooLong
		}
		if v, err := r.uint(); err != nil {
			return err
		} else if v > MaxID {
			return errBig
		}
	}
}

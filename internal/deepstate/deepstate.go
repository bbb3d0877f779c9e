// Package deepstate writes the whole state reachable from a value, its
// unexported fields included, as bytes, and reads it back into a value of
// the same type: the venue's and the simulated market's snapshots. The
// state is a graph: a pointer met twice is written once and read back as
// one object shared by both places, so the structures that point at each
// other (accounts and their orders, a book and its sink) come back as they
// were.
//
// What it handles: booleans, integers, floats (their bits), strings,
// arrays, slices (nil kept apart from empty), maps (keys in sorted order
// when they are ordered, so the same state gives the same bytes), structs
// and pointers; an interface value only when its dynamic type is listed in
// Options.Interfaces (another is an error: keep the field instead).
// Funcs, channels, unsafe pointers and the types Options.Keep names are
// never written: the value read into keeps its own. Pointers into the
// middle of another object written too (a field's or an element's
// address) are not supported: such a field must be kept and rebuilt.
//
// The bytes are for the same build of the program: there is no schema.
// Every read is bounded by the input's size and returns an error, never
// panics, on bytes that do not fit the type.
package deepstate

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"unsafe"
)

// Options says what to leave out and which interface types to follow.
type Options struct {
	// Keep reports whether field f of struct type t is left out: the
	// value read into keeps its own.
	Keep func(t reflect.Type, f reflect.StructField) bool
	// Interfaces lists the dynamic types an interface field may hold to
	// be written (by index in this list); other values are left out.
	Interfaces []reflect.Type
}

// ErrDecode is wrapped by every error of Decode.
var ErrDecode = errors.New("deepstate: bad input")

type encoder struct {
	opts Options
	b    []byte
	ptrs map[uintptr]uint64 // address → object id
	next uint64
}

// Encode appends the state reachable from root (a non-nil pointer) to dst.
func Encode(dst []byte, root any, opts Options) ([]byte, error) {
	v := reflect.ValueOf(root)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return nil, errors.New("deepstate: Encode needs a non-nil pointer")
	}
	e := &encoder{opts: opts, b: dst, ptrs: map[uintptr]uint64{v.Pointer(): 0}, next: 1}
	if err := e.value(v.Elem()); err != nil {
		return nil, err
	}
	return e.b, nil
}

func (e *encoder) uvarint(x uint64) { e.b = binary.AppendUvarint(e.b, x) }

func keep(opts *Options, t reflect.Type, f reflect.StructField) bool {
	switch f.Type.Kind() {
	case reflect.Func, reflect.Chan, reflect.UnsafePointer:
		return true
	}
	return opts.Keep != nil && opts.Keep(t, f)
}

// readable returns v with the read-only flag of unexported fields lifted.
func readable(v reflect.Value) reflect.Value {
	if v.CanInterface() || !v.CanAddr() {
		return v
	}
	return reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem()
}

func (e *encoder) value(v reflect.Value) error {
	v = readable(v)
	switch v.Kind() {
	case reflect.Bool:
		if v.Bool() {
			e.b = append(e.b, 1)
		} else {
			e.b = append(e.b, 0)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.b = binary.AppendVarint(e.b, v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.uvarint(v.Uint())
	case reflect.Float32, reflect.Float64:
		e.uvarint(math.Float64bits(v.Float()))
	case reflect.String:
		e.uvarint(uint64(v.Len()))
		e.b = append(e.b, v.String()...)
	case reflect.Array:
		for i := range v.Len() {
			if err := e.value(v.Index(i)); err != nil {
				return err
			}
		}
	case reflect.Slice:
		if v.IsNil() {
			e.uvarint(0)
			return nil
		}
		e.uvarint(uint64(v.Len()) + 1)
		if v.Type().Elem().Kind() == reflect.Uint8 {
			e.b = append(e.b, v.Bytes()...)
			return nil
		}
		for i := range v.Len() {
			if err := e.value(v.Index(i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		return e.mapValue(v)
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			if keep(&e.opts, t, t.Field(i)) {
				continue
			}
			if err := e.value(v.Field(i)); err != nil {
				return fmt.Errorf("%s.%s: %w", t, t.Field(i).Name, err)
			}
		}
	case reflect.Pointer:
		if v.IsNil() {
			e.uvarint(0)
			return nil
		}
		if id, ok := e.ptrs[v.Pointer()]; ok {
			e.uvarint(id + 1)
			return nil
		}
		id := e.next
		e.next++
		e.ptrs[v.Pointer()] = id
		e.uvarint(id + 1)
		return e.value(v.Elem())
	case reflect.Interface:
		if v.IsNil() {
			e.uvarint(0)
			return nil
		}
		i := slices.Index(e.opts.Interfaces, v.Elem().Type())
		if i < 0 {
			return fmt.Errorf("deepstate: an interface holds a %s, not in Options.Interfaces", v.Elem().Type())
		}
		e.uvarint(uint64(i) + 1)
		return e.value(v.Elem())
	default:
		return fmt.Errorf("deepstate: cannot write a %s", v.Type())
	}
	return nil
}

func (e *encoder) mapValue(v reflect.Value) error {
	if v.IsNil() {
		e.uvarint(0)
		return nil
	}
	e.uvarint(uint64(v.Len()) + 1)
	keys := v.MapKeys()
	switch v.Type().Key().Kind() {
	case reflect.String:
		slices.SortFunc(keys, func(a, b reflect.Value) int { return cmp.Compare(a.String(), b.String()) })
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		slices.SortFunc(keys, func(a, b reflect.Value) int { return cmp.Compare(a.Int(), b.Int()) })
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		slices.SortFunc(keys, func(a, b reflect.Value) int { return cmp.Compare(a.Uint(), b.Uint()) })
	}
	for _, k := range keys {
		if err := e.value(k); err != nil {
			return err
		}
		val := reflect.New(v.Type().Elem()).Elem()
		val.Set(v.MapIndex(k))
		if err := e.value(val); err != nil {
			return err
		}
	}
	return nil
}

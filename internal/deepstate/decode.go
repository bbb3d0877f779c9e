package deepstate

import (
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
)

type decoder struct {
	opts Options
	b    []byte
	objs []reflect.Value // by id: pointers
}

// Decode reads state written by Encode from a value of root's type into
// root (a non-nil pointer), leaving alone the fields Options.Keep names.
// Bytes left over, or missing, are an error.
func Decode(data []byte, root any, opts Options) error {
	v := reflect.ValueOf(root)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return fmt.Errorf("%w: Decode needs a non-nil pointer", ErrDecode)
	}
	d := &decoder{opts: opts, b: data, objs: []reflect.Value{v}}
	if err := d.value(v.Elem()); err != nil {
		return err
	}
	if len(d.b) != 0 {
		return fmt.Errorf("%w: %d bytes after the state", ErrDecode, len(d.b))
	}
	return nil
}

func (d *decoder) uvarint() (uint64, error) {
	x, n := binary.Uvarint(d.b)
	if n <= 0 {
		return 0, fmt.Errorf("%w: bad uvarint", ErrDecode)
	}
	d.b = d.b[n:]
	return x, nil
}

// count reads a length written as n+1 (0: nil) and checks that the input
// can hold n elements of at least one byte each (strings and bytes: n).
func (d *decoder) count() (n int, isNil bool, err error) {
	x, err := d.uvarint()
	if err != nil {
		return 0, false, err
	}
	if x == 0 {
		return 0, true, nil
	}
	if x-1 > uint64(len(d.b)) {
		return 0, false, fmt.Errorf("%w: length %d past the end", ErrDecode, x-1)
	}
	return int(x - 1), false, nil
}

func (d *decoder) value(v reflect.Value) error {
	v = readable(v)
	switch v.Kind() {
	case reflect.Bool:
		if len(d.b) == 0 || d.b[0] > 1 {
			return fmt.Errorf("%w: bad bool", ErrDecode)
		}
		v.SetBool(d.b[0] == 1)
		d.b = d.b[1:]
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		x, n := binary.Varint(d.b)
		if n <= 0 || v.OverflowInt(x) {
			return fmt.Errorf("%w: bad integer", ErrDecode)
		}
		d.b = d.b[n:]
		v.SetInt(x)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		x, err := d.uvarint()
		if err != nil || v.OverflowUint(x) {
			return fmt.Errorf("%w: bad unsigned integer", ErrDecode)
		}
		v.SetUint(x)
	case reflect.Float32, reflect.Float64:
		x, err := d.uvarint()
		if err != nil {
			return err
		}
		v.SetFloat(math.Float64frombits(x))
	case reflect.String:
		n, _, err := d.countString()
		if err != nil {
			return err
		}
		v.SetString(string(d.b[:n]))
		d.b = d.b[n:]
	case reflect.Array:
		for i := range v.Len() {
			if err := d.value(v.Index(i)); err != nil {
				return err
			}
		}
	case reflect.Slice:
		n, isNil, err := d.count()
		if err != nil {
			return err
		}
		if isNil {
			v.SetZero()
			return nil
		}
		s := reflect.MakeSlice(v.Type(), n, n)
		if v.Type().Elem().Kind() == reflect.Uint8 {
			reflect.Copy(s, reflect.ValueOf(d.b[:n]))
			d.b = d.b[n:]
		} else {
			for i := range n {
				if err := d.value(s.Index(i)); err != nil {
					return err
				}
			}
		}
		v.Set(s)
	case reflect.Map:
		n, isNil, err := d.count()
		if err != nil {
			return err
		}
		if isNil {
			v.SetZero()
			return nil
		}
		m := reflect.MakeMapWithSize(v.Type(), n)
		for range n {
			k := reflect.New(v.Type().Key()).Elem()
			if err := d.value(k); err != nil {
				return err
			}
			val := reflect.New(v.Type().Elem()).Elem()
			if err := d.value(val); err != nil {
				return err
			}
			m.SetMapIndex(k, val)
		}
		v.Set(m)
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			if keep(&d.opts, t, t.Field(i)) {
				continue
			}
			if err := d.value(v.Field(i)); err != nil {
				return fmt.Errorf("%s.%s: %w", t, t.Field(i).Name, err)
			}
		}
	case reflect.Pointer:
		x, err := d.uvarint()
		if err != nil {
			return err
		}
		if x == 0 {
			v.SetZero()
			return nil
		}
		id := x - 1
		switch {
		case id < uint64(len(d.objs)):
			if d.objs[id].Type() != v.Type() {
				return fmt.Errorf("%w: object %d is a %s, not a %s", ErrDecode, id, d.objs[id].Type(), v.Type())
			}
			v.Set(d.objs[id])
		case id == uint64(len(d.objs)):
			p := reflect.New(v.Type().Elem())
			d.objs = append(d.objs, p)
			v.Set(p)
			return d.value(p.Elem())
		default:
			return fmt.Errorf("%w: object %d out of order", ErrDecode, id)
		}
	case reflect.Interface:
		x, err := d.uvarint()
		if err != nil {
			return err
		}
		if x == 0 {
			v.SetZero()
			return nil
		}
		if x-1 >= uint64(len(d.opts.Interfaces)) {
			return fmt.Errorf("%w: interface type %d unknown", ErrDecode, x-1)
		}
		t := d.opts.Interfaces[x-1]
		if !t.Implements(v.Type()) {
			return fmt.Errorf("%w: %s does not implement %s", ErrDecode, t, v.Type())
		}
		val := reflect.New(t).Elem()
		if err := d.value(val); err != nil {
			return err
		}
		v.Set(val)
	default:
		return fmt.Errorf("%w: cannot read a %s", ErrDecode, v.Type())
	}
	return nil
}

func (d *decoder) countString() (int, bool, error) {
	x, err := d.uvarint()
	if err != nil {
		return 0, false, err
	}
	if x > uint64(len(d.b)) {
		return 0, false, fmt.Errorf("%w: string length %d past the end", ErrDecode, x)
	}
	return int(x), false, nil
}

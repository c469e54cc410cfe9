package emu

import (
	"fmt"
	"reflect"
	"unsafe"
)

// NewFresh is New without reuse: the System is allocated new, never taken
// from the released ones.
func NewFresh(opts ...Option) *System { return (&System{}).build(opts) }

// SameAsNew reports the first way in which reused, a System built in a
// released one's memory, differs from fresh, one built new, or nil. Both
// must have been built with the same options and driven the same way
// since. Every field counts, down through every pointer, except that a
// slice or map compares by its elements (an emptied one kept for its
// memory equals a nil one), a channel by its buffer, a function by
// whether it is set, and a pointer into a System (the System's own
// back-pointers) by where in its System it points. Left out are the
// GoroutinePool (a fresh System is compared without one), the inside of a
// thread's coroutine (a pooled one has run threads before) and the arenas
// of records (skipField), whose free records must each be what a new
// record is.
func SameAsNew(fresh, reused *System) error {
	c := &fieldCmp{a0: uintptr(unsafe.Pointer(fresh)), b0: uintptr(unsafe.Pointer(reused)), seen: map[[2]uintptr]bool{}}
	if err := c.cmp("System", reflect.ValueOf(fresh).Elem(), reflect.ValueOf(reused).Elem()); err != nil {
		return err
	}
	// The arenas: every free record is what a new one is.
	for _, rec := range []reflect.Value{reflect.ValueOf(&reused.rec).Elem(), reflect.ValueOf(&reused.ws2.rec).Elem()} {
		for i := range rec.NumField() {
			free := rec.Field(i).FieldByName("free")
			for j := range free.Len() {
				p := free.Index(j)
				path := fmt.Sprintf("%s.%s.free[%d]", rec.Type().Name(), rec.Type().Field(i).Name, j)
				if err := c.cmp(path, reflect.New(p.Type().Elem()).Elem(), p.Elem()); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

type structField struct {
	t    reflect.Type
	name string
}

// skipField are the fields SameAsNew leaves out: the pool, and the arenas
// of records, which a reused System keeps and a new one has not (each
// record is emptied when it becomes free).
var skipField = map[structField]bool{
	{reflect.TypeFor[System](), "pool"}:  true,
	{reflect.TypeFor[System](), "rec"}:   true,
	{reflect.TypeFor[ws2State](), "rec"}: true,
}

type fieldCmp struct {
	a0, b0 uintptr // the two Systems
	seen   map[[2]uintptr]bool
}

var sysSize = unsafe.Sizeof(System{})

func (c *fieldCmp) cmp(path string, a, b reflect.Value) error {
	switch a.Kind() {
	case reflect.Pointer, reflect.UnsafePointer:
		pa, pb := a.Pointer(), b.Pointer()
		if pa == 0 || pb == 0 {
			if pa != pb {
				return fmt.Errorf("%s: nil %v, reused nil %v", path, pa == 0, pb == 0)
			}
			return nil
		}
		ina, inb := pa-c.a0 < sysSize, pb-c.b0 < sysSize
		if ina || inb {
			if !ina || !inb || pa-c.a0 != pb-c.b0 {
				return fmt.Errorf("%s: points into its System at %d (%v), reused at %d (%v)", path, pa-c.a0, ina, pb-c.b0, inb)
			}
			return nil
		}
		if pa == pb || a.Kind() == reflect.UnsafePointer || a.Type() == reflect.TypeFor[*stepCoro]() || c.seen[[2]uintptr{pa, pb}] {
			return nil
		}
		c.seen[[2]uintptr{pa, pb}] = true
		return c.cmp("(*"+path+")", a.Elem(), b.Elem())
	case reflect.Interface:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				return fmt.Errorf("%s: nil %v, reused nil %v", path, a.IsNil(), b.IsNil())
			}
			return nil
		}
		if a.Elem().Type() != b.Elem().Type() {
			return fmt.Errorf("%s: %v, reused %v", path, a.Elem().Type(), b.Elem().Type())
		}
		return c.cmp(path, a.Elem(), b.Elem())
	case reflect.Struct:
		for i := range a.NumField() {
			if skipField[structField{a.Type(), a.Type().Field(i).Name}] {
				continue
			}
			if err := c.cmp(path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Array, reflect.Slice:
		if a.Len() != b.Len() {
			return fmt.Errorf("%s: len %d, reused %d", path, a.Len(), b.Len())
		}
		for i := range a.Len() {
			if err := c.cmp(fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Map:
		if a.Len() != b.Len() {
			return fmt.Errorf("%s: len %d, reused %d", path, a.Len(), b.Len())
		}
		if a.Len() != 0 {
			return fmt.Errorf("%s: %d entries: cannot compare", path, a.Len())
		}
		return nil
	case reflect.Chan:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() || a.Cap() != b.Cap() {
			return fmt.Errorf("%s: channel nil %v len %d cap %d, reused nil %v len %d cap %d", path, a.IsNil(), a.Len(), a.Cap(), b.IsNil(), b.Len(), b.Cap())
		}
		return nil
	case reflect.Func:
		if a.IsNil() != b.IsNil() {
			return fmt.Errorf("%s: func nil %v, reused nil %v", path, a.IsNil(), b.IsNil())
		}
		return nil
	case reflect.Bool:
		if a.Bool() != b.Bool() {
			return fmt.Errorf("%s: %v, reused %v", path, a.Bool(), b.Bool())
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if a.Int() != b.Int() {
			return fmt.Errorf("%s: %d, reused %d", path, a.Int(), b.Int())
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if a.Uint() != b.Uint() {
			return fmt.Errorf("%s: %d, reused %d", path, a.Uint(), b.Uint())
		}
	case reflect.String:
		if a.String() != b.String() {
			return fmt.Errorf("%s: %q, reused %q", path, a.String(), b.String())
		}
	default:
		return fmt.Errorf("%s: cannot compare a %v", path, a.Kind())
	}
	return nil
}

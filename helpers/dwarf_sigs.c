// SPDX-License-Identifier: BSD-2-Clause
/*
 * Function signatures from DWARF (see dwarf_sigs.h).
 *
 * The subprograms of each CU and of its namespaces are read. A function
 * counts if it has code (DW_AT_low_pc or ranges); declarations are
 * skipped. A C++ method defined out of line (or inline in its class) is such
 * a definition at CU or namespace level whose DW_AT_specification is the
 * declaration inside the class: dwarf_attr_integrate follows it (and
 * DW_AT_abstract_origin) for the name, the linkage name, the return type
 * and the parameters, `this` (artificial) included as the first.
 *
 * Names: a function with a mangled linkage name is known by its demangled
 * form with parameters ("Shape::area(int) const", as c++filt and uscope's
 * own function list spell it; overloads stay apart) and shown by its
 * qualified name ("Shape::area"); a C function by its DW_AT_name.
 *
 * Types are followed through typedef, const, volatile and restrict for
 * their class, while their spelling keeps them. A reference is passed as a
 * pointer, so it prints as one; a class or struct passed by value is an
 * aggregate (`?`, and so is every later parameter: where its registers go
 * is not computed).
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dwarf_sigs.h"
#include "demangle.h"

static Dwarf_Die *type_of(Dwarf_Die *die, Dwarf_Die *out)
{
	Dwarf_Attribute a;

	if (!dwarf_attr_integrate(die, DW_AT_type, &a))
		return NULL;
	return dwarf_formref_die(&a, out);
}

static bool is_indirection(Dwarf_Die *die)
{
	int tag = die ? dwarf_tag(die) : 0;

	return tag == DW_TAG_pointer_type || tag == DW_TAG_reference_type || tag == DW_TAG_rvalue_reference_type;
}

/* The spelling of a struct, class, union or enum type: C says "struct S", C++ just "S". */
static void tagged_text(Dwarf_Die *die, const char *kw, bool cxx, char *buf, size_t len)
{
	const char *name = dwarf_diename(die);

	if (cxx && name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%s %s", kw, name ? name : "(anonymous)");
}

/*
 * The spelling of type DIE (NULL: void) into BUF: "const char *",
 * "const Point &", "const Shape *const" (a qualifier of a pointer or
 * reference comes after it). CXX: the CU is C++.
 */
static void type_text(Dwarf_Die *die, char *buf, size_t len, int depth, bool cxx)
{
	const char *name = die ? dwarf_diename(die) : "void";
	char inner[200];
	Dwarf_Die t, *in;
	int tag;

	if (!die || depth > 8) {
		snprintf(buf, len, die ? "?" : "void");
		return;
	}
	switch ((tag = dwarf_tag(die))) {
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type:
	case DW_TAG_rvalue_reference_type:
		type_text(type_of(die, &t), inner, sizeof(inner), depth + 1, cxx);
		snprintf(buf, len, strchr("*&", inner[strlen(inner) - 1]) ? "%s%s" : "%s %s", inner,
			 tag == DW_TAG_pointer_type ? "*" : tag == DW_TAG_reference_type ? "&" : "&&");
		return;
	case DW_TAG_const_type:
	case DW_TAG_volatile_type:
		in = type_of(die, &t);
		type_text(in, inner, sizeof(inner), depth + 1, cxx);
		if (is_indirection(in))
			snprintf(buf, len, "%s%s", inner, tag == DW_TAG_const_type ? "const" : "volatile");
		else
			snprintf(buf, len, "%s %s", tag == DW_TAG_const_type ? "const" : "volatile", inner);
		return;
	case DW_TAG_restrict_type:
		type_text(type_of(die, &t), buf, len, depth + 1, cxx);
		return;
	case DW_TAG_structure_type:
		tagged_text(die, "struct", cxx, buf, len);
		return;
	case DW_TAG_class_type:
		tagged_text(die, "class", cxx, buf, len);
		return;
	case DW_TAG_union_type:
		tagged_text(die, "union", cxx, buf, len);
		return;
	case DW_TAG_enumeration_type:
		tagged_text(die, "enum", cxx, buf, len);
		return;
	default:
		snprintf(buf, len, "%s", name ? name : "?");
	}
}

/* The class of type DIE, through typedefs and qualifiers. */
/* Enumerator children of DIE into T->enums (when ENUMS is set), returning how many; -1: not usable. */
static int enumerators(Dwarf_Die *die, struct dwarf_enumerator *enums)
{
	Dwarf_Attribute a;
	Dwarf_Sword v;
	Dwarf_Die c;
	int n = 0;

	if (dwarf_child(die, &c))
		return 0;
	do {
		if (dwarf_tag(&c) != DW_TAG_enumerator)
			continue;
		if (n == DWARF_SIG_MAX_ENUMERATORS || !dwarf_diename(&c) || !dwarf_attr(&c, DW_AT_const_value, &a) ||
		    dwarf_formsdata(&a, &v))
			return -1;
		if (enums) {
			enums[n].value = v;
			enums[n].name = strdup(dwarf_diename(&c));
			if (!enums[n].name)
				return -1;
		}
		n++;
	} while (dwarf_siblingof(&c, &c) == 0);
	return n;
}

/* An enum's names, so that events print them; on any failure none (events print the number). */
static void read_enumerators(Dwarf_Die *die, struct dwarf_type *t)
{
	int n = enumerators(die, NULL);

	if (n <= 0 || !(t->enums = calloc(n, sizeof(*t->enums))))
		return;
	if (enumerators(die, t->enums) == n) {
		t->nenums = n;
		return;
	}
	while (n--)
		free(t->enums[n].name);
	free(t->enums);
	t->enums = NULL;
}

const char *dwarf_type__enum_name(const struct dwarf_type *t, long long v)
{
	int i;

	for (i = 0; i < t->nenums; i++)
		if (t->enums[i].value == v)
			return t->enums[i].name;
	return NULL;
}

static void classify(Dwarf_Die *die, struct dwarf_type *t, int depth)
{
	Dwarf_Attribute a;
	Dwarf_Word enc = 0;
	Dwarf_Die inner, *in;
	int size;

	if (!die) {
		t->cls = DWC_VOID;
		return;
	}
	size = dwarf_bytesize(die);
	t->size = size > 0 ? size : 0;
	switch (dwarf_tag(die)) {
	case DW_TAG_typedef:
	case DW_TAG_const_type:
	case DW_TAG_volatile_type:
	case DW_TAG_restrict_type:
		if (depth < 8)
			classify(type_of(die, &inner), t, depth + 1);
		return;
	case DW_TAG_reference_type:	/* passed as the address of the object */
	case DW_TAG_rvalue_reference_type:
		t->cls = DWC_PTR;
		t->size = 8;
		return;
	case DW_TAG_pointer_type:
		t->cls = DWC_PTR;
		t->size = 8;
		in = type_of(die, &inner);
		while (in && (dwarf_tag(in) == DW_TAG_const_type || dwarf_tag(in) == DW_TAG_volatile_type))
			in = type_of(in, &inner);
		if (in && dwarf_tag(in) == DW_TAG_base_type && dwarf_bytesize(in) == 1 &&
		    dwarf_attr(in, DW_AT_encoding, &a) && !dwarf_formudata(&a, &enc) &&
		    (enc == DW_ATE_signed_char || enc == DW_ATE_unsigned_char))
			t->cls = DWC_CHAR_PTR;
		return;
	case DW_TAG_enumeration_type:
		t->cls = DWC_ENUM;
		in = type_of(die, &inner);	/* DWARF 3+: the underlying type */
		t->is_signed = false;
		if (in && dwarf_attr(in, DW_AT_encoding, &a) && !dwarf_formudata(&a, &enc))
			t->is_signed = enc == DW_ATE_signed || enc == DW_ATE_signed_char;
		if (!t->enums)
			read_enumerators(die, t);
		return;
	case DW_TAG_base_type:
		if (dwarf_attr(die, DW_AT_encoding, &a))
			dwarf_formudata(&a, &enc);
		t->cls = enc == DW_ATE_boolean ? DWC_BOOL : enc == DW_ATE_float ? DWC_FLOAT : DWC_INT;
		t->is_signed = enc == DW_ATE_signed || enc == DW_ATE_signed_char;
		return;
	case DW_TAG_structure_type:
	case DW_TAG_class_type:
	case DW_TAG_union_type:
	case DW_TAG_array_type:
		t->cls = DWC_AGGREGATE;
		return;
	default:
		t->cls = DWC_OTHER;
	}
}

static int fill_type(Dwarf_Die *die, struct dwarf_type *t, bool cxx)
{
	char buf[256];

	classify(die, t, 0);
	type_text(die, buf, sizeof(buf), 0, cxx);
	t->text = strdup(buf);
	return t->text ? 0 : -ENOMEM;
}

enum passing { PASS_REGS, PASS_MEMORY, PASS_UNKNOWN };

static Dwarf_Die *strip_cv(Dwarf_Die *die, Dwarf_Die *buf)
{
	int n = 0;

	while (die && n++ < 8 && (dwarf_tag(die) == DW_TAG_typedef || dwarf_tag(die) == DW_TAG_const_type ||
				  dwarf_tag(die) == DW_TAG_volatile_type))
		die = type_of(die, buf);
	return die;
}

static bool is_record(Dwarf_Die *die)
{
	int tag = die ? dwarf_tag(die) : 0;

	return tag == DW_TAG_structure_type || tag == DW_TAG_class_type || tag == DW_TAG_union_type;
}

/* Is member function M a user-provided destructor, copy/move constructor or virtual (of class CLS)? */
static bool nontrivial_member(Dwarf_Die *m, Dwarf_Die *cls)
{
	const char *name = dwarf_diename(m), *cname = dwarf_diename(cls);
	Dwarf_Attribute a;
	Dwarf_Word w;
	Dwarf_Die p, t, *in;

	if (dwarf_hasattr(m, DW_AT_artificial) || !name)
		return false;
	if (dwarf_attr(m, DW_AT_defaulted, &a) && !dwarf_formudata(&a, &w) && w == DW_DEFAULTED_in_class)
		return false;
	if (dwarf_hasattr(m, DW_AT_virtuality) || name[0] == '~')
		return true;
	if (!cname || strcmp(name, cname) || dwarf_child(m, &p))
		return false;
	do {	/* a constructor whose first source parameter is a reference to its own class */
		if (dwarf_tag(&p) != DW_TAG_formal_parameter || dwarf_hasattr(&p, DW_AT_artificial))
			continue;
		in = type_of(&p, &t);
		if (!in || (dwarf_tag(in) != DW_TAG_reference_type && dwarf_tag(in) != DW_TAG_rvalue_reference_type))
			return false;
		in = strip_cv(type_of(in, &t), &t);
		return in && dwarf_dieoffset(in) == dwarf_dieoffset(cls);
	} while (!dwarf_siblingof(&p, &p));
	return false;
}

/*
 * How the Itanium C++ ABI passes class CLS: in memory when it is not
 * trivially copyable (a user-provided destructor, copy or move constructor,
 * a virtual function or base, or a member or base that is so), else as C
 * would. Unknown for an incomplete type or one nested too deep.
 */
static enum passing cxx_passing(Dwarf_Die *cls, int depth)
{
	enum passing r = PASS_REGS, sub;
	Dwarf_Die c, t, *in;

	if (depth > 8 || dwarf_hasattr(cls, DW_AT_declaration))
		return PASS_UNKNOWN;
	if (dwarf_child(cls, &c))
		return PASS_REGS;
	do {
		switch (dwarf_tag(&c)) {
		case DW_TAG_subprogram:
			if (nontrivial_member(&c, cls))
				return PASS_MEMORY;
			break;
		case DW_TAG_inheritance:
			if (dwarf_hasattr(&c, DW_AT_virtuality))
				return PASS_MEMORY;
			/* fall through */
		case DW_TAG_member:
			if (dwarf_hasattr(&c, DW_AT_external))
				break;	/* a static member */
			in = strip_cv(type_of(&c, &t), &t);
			if (!is_record(in))
				break;
			sub = cxx_passing(in, depth + 1);
			if (sub == PASS_MEMORY)
				return PASS_MEMORY;
			if (sub == PASS_UNKNOWN)
				r = PASS_UNKNOWN;
			break;
		}
	} while (!dwarf_siblingof(&c, &c));
	return r;
}

/*
 * Where a return value of type RET goes (SysV x86-64): a record of more than
 * 16 bytes, or a C++ class that is not trivially copyable, in memory the
 * caller provides, whose address is the hidden first argument (%rdi).
 */
static enum passing ret_passing(Dwarf_Die *ret, bool cxx)
{
	Dwarf_Die buf, *r = strip_cv(ret, &buf);
	int size;

	if (!is_record(r))
		return PASS_REGS;
	size = dwarf_bytesize(r);
	if (size > 16)
		return PASS_MEMORY;
	if (size <= 0)
		return PASS_UNKNOWN;
	return cxx ? cxx_passing(r, 0) : PASS_REGS;
}

/* params[0]: the hidden return-slot pointer (its register is the first). */
static int add_hidden_ret_param(struct dwarf_sig *s)
{
	struct dwarf_param *p = &s->params[0];
	char buf[256];

	p->hidden = true;
	p->name = strdup("");
	p->type.cls = DWC_PTR;
	p->type.size = 8;
	snprintf(buf, sizeof(buf), "%s *", s->ret.text);
	p->type.text = strdup(buf);
	s->nparams = 1;
	return p->name && p->type.text ? 0 : -ENOMEM;
}

/* The linkage (mangled) name of FN, through its specification or origin; NULL for C. */
static const char *linkage_name(Dwarf_Die *fn)
{
	Dwarf_Attribute a;

	if (!dwarf_attr_integrate(fn, DW_AT_linkage_name, &a) &&
	    !dwarf_attr_integrate(fn, DW_AT_MIPS_linkage_name, &a))
		return NULL;
	return dwarf_formstring(&a);
}

/* S->name (the lookup key) and S->display, as the header says. */
static int sig_names(Dwarf_Die *fn, struct dwarf_sig *s)
{
	const char *link = linkage_name(fn);

	if (link && sym_maybe_mangled(link)) {
		s->name = sym_demangle(link, true);
		s->display = sym_demangle(link, false);
	}
	if (!s->name) {
		free(s->display);
		s->name = strdup(dwarf_diename(fn));
		s->display = s->name ? strdup(s->name) : NULL;
	}
	if (!s->display) {
		free(s->display);
		s->display = strdup(s->name);
	}
	return s->name && s->display ? 0 : -ENOMEM;
}

static int read_sig(Dwarf_Die *fn, struct dwarf_sig *s, bool cxx)
{
	Dwarf_Die child, t;
	const char *pname;

	enum passing rp;

	if (sig_names(fn, s) || fill_type(type_of(fn, &t), &s->ret, cxx))
		return -ENOMEM;
	rp = ret_passing(type_of(fn, &t), cxx);
	s->regs_unknown = rp == PASS_UNKNOWN;
	if (rp == PASS_MEMORY && add_hidden_ret_param(s))
		return -ENOMEM;
	if (dwarf_child(fn, &child))
		return 0;
	do {
		if (dwarf_tag(&child) == DW_TAG_unspecified_parameters)
			s->more_params = true;
		if (dwarf_tag(&child) != DW_TAG_formal_parameter)
			continue;
		if (s->nparams == DWARF_SIG_MAX_PARAMS) {
			s->more_params = true;
			break;
		}
		pname = dwarf_diename(&child);
		s->params[s->nparams].name = strdup(pname ? pname : "");
		if (!s->params[s->nparams].name || fill_type(type_of(&child, &t), &s->params[s->nparams].type, cxx))
			return -ENOMEM;
		s->nparams++;
	} while (!dwarf_siblingof(&child, &child));
	return 0;
}

static bool is_definition(Dwarf_Die *fn)
{
	Dwarf_Addr lo;

	if (dwarf_hasattr(fn, DW_AT_declaration))
		return false;
	return !dwarf_lowpc(fn, &lo) || dwarf_hasattr(fn, DW_AT_ranges);
}

static void free_type(struct dwarf_type *t)
{
	while (t->nenums--)
		free(t->enums[t->nenums].name);
	free(t->enums);
	free(t->text);
}

static void free_sig(struct dwarf_sig *s)
{
	int i;

	free(s->name);
	free(s->display);
	free_type(&s->ret);
	for (i = 0; i < s->nparams; i++) {
		free(s->params[i].name);
		free_type(&s->params[i].type);
	}
}

static int add_sig(Dwarf_Die *fn, struct dwarf_sig_list *out, size_t *cap, bool cxx)
{
	struct dwarf_sig *s;

	if (out->cnt == *cap) {
		size_t n = *cap ? *cap * 2 : 64;
		void *p = realloc(out->sigs, n * sizeof(*out->sigs));

		if (!p)
			return -ENOMEM;
		out->sigs = p;
		*cap = n;
	}
	s = &out->sigs[out->cnt++];
	memset(s, 0, sizeof(*s));
	return read_sig(fn, s, cxx);
}

/* The definitions among the children of SCOPE (a CU or a namespace, recursively). */
static int add_scope(Dwarf_Die *scope, struct dwarf_sig_list *out, size_t *cap, bool cxx, int depth)
{
	Dwarf_Die fn;
	int err = 0;

	if (dwarf_child(scope, &fn))
		return 0;
	do {
		if (dwarf_tag(&fn) == DW_TAG_namespace && depth < 16)
			err = add_scope(&fn, out, cap, cxx, depth + 1);
		else if (dwarf_tag(&fn) == DW_TAG_subprogram && dwarf_diename(&fn) && is_definition(&fn))
			err = add_sig(&fn, out, cap, cxx);
	} while (!err && !dwarf_siblingof(&fn, &fn));
	return err;
}

static int add_cu(Dwarf_Die *cu, struct dwarf_sig_list *out, size_t *cap)
{
	int lang = dwarf_srclang(cu);
	bool cxx = lang == DW_LANG_C_plus_plus || lang == DW_LANG_C_plus_plus_03 ||
		   lang == DW_LANG_C_plus_plus_11 || lang == DW_LANG_C_plus_plus_14;

	return add_scope(cu, out, cap, cxx, 0);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct dwarf_sig *)a)->name, ((const struct dwarf_sig *)b)->name);
}

static bool same_sig(const struct dwarf_sig *a, const struct dwarf_sig *b)
{
	int i;

	if (a->nparams != b->nparams || strcmp(a->ret.text, b->ret.text))
		return false;
	for (i = 0; i < a->nparams; i++)
		if (strcmp(a->params[i].type.text, b->params[i].type.text))
			return false;
	return true;
}

/* Sort by name; keep one per name, marked ambiguous when definitions disagree. */
static void dedup(struct dwarf_sig_list *l)
{
	size_t i, k = 0;

	qsort(l->sigs, l->cnt, sizeof(*l->sigs), by_name);
	for (i = 0; i < l->cnt; i++) {
		if (k && !strcmp(l->sigs[k - 1].name, l->sigs[i].name)) {
			if (!same_sig(&l->sigs[k - 1], &l->sigs[i]))
				l->sigs[k - 1].ambiguous = true;
			free_sig(&l->sigs[i]);
			continue;
		}
		l->sigs[k++] = l->sigs[i];
	}
	l->cnt = k;
}

int dwarf_sigs__load(const char *path, struct dwarf_sig_list *out)
{
	Dwarf_Off off = 0, next;
	size_t hsize, cap = 0;
	Dwarf *dw;
	int fd, err = 0;

	memset(out, 0, sizeof(*out));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	dw = dwarf_begin(fd, DWARF_C_READ);
	if (!dw) {
		close(fd);
		return 0;	/* no DWARF */
	}
	out->has_dwarf = true;
	while (!err && !dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL)) {
		Dwarf_Die cu;

		if (dwarf_offdie(dw, off + hsize, &cu))
			err = add_cu(&cu, out, &cap);
		off = next;
	}
	dwarf_end(dw);
	close(fd);
	if (err) {
		dwarf_sigs__free(out);
		return err;
	}
	dedup(out);
	return 0;
}

const struct dwarf_sig *dwarf_sigs__find(const struct dwarf_sig_list *l, const char *name)
{
	struct dwarf_sig key = { .name = (char *)name };

	return l->cnt ? bsearch(&key, l->sigs, l->cnt, sizeof(key), by_name) : NULL;
}

/* "RET NAME(T1 a, T2 b)": the source's parameters (the hidden return slot is not one). */
void dwarf_sig__format(const struct dwarf_sig *s, char *buf, size_t len)
{
	int i, shown = 0;
	size_t n;

	n = snprintf(buf, len, "%s %s(", s->ret.text, s->display);
	for (i = 0; i < s->nparams && n < len; i++) {
		const struct dwarf_param *p = &s->params[i];
		bool tight = !*p->name || strchr("*&", p->type.text[strlen(p->type.text) - 1]);

		if (p->hidden)
			continue;
		n += snprintf(buf + n, len - n, "%s%s%s%s", shown++ ? ", " : "", p->type.text, tight ? "" : " ",
			      p->name);
	}
	if (n < len)
		snprintf(buf + n, len - n, "%s%s)", s->more_params && shown ? ", " : "",
			 s->more_params ? "..." : shown ? "" : "void");
}

void dwarf_sigs__free(struct dwarf_sig_list *l)
{
	size_t i;

	for (i = 0; i < l->cnt; i++)
		free_sig(&l->sigs[i]);
	free(l->sigs);
	memset(l, 0, sizeof(*l));
}

"""A deterministic Oracle Internet Directory export, shaped like ALGAR's, for the migration tests
and bench/algar_migrate.py.

`write(path, users=N)` writes one LDIF file as `ldapsearch`/`ldifwrite` of an OID would:
the subschema entry first (standard, Oracle and ALGAR custom definitions), then the
realm `dc=algar,dc=com,dc=br` with its Oracle context and password policies, people in
departments, groups, roles, services (resources), documents (other), OID operational
attributes (orclguid, timestamps, authpassword;oid), base64 values (accented names),
folded long lines, `orclaci` / `orclentrylevelaci` of several shapes, some with no OUD
equivalent, and one OID-internal entry outside the realm. It returns what the tests
check the migration against (`Export`).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

BASE = "dc=algar,dc=com,dc=br"
DEPARTMENTS = ("TI", "RH", "Financeiro", "Comercial", "Operacoes", "Juridico", "Engenharia", "Atendimento")
FIRST = ("Ana", "Bruno", "Carla", "Diego", "Elisa", "Fábio", "Gabriela", "Heitor", "Íris", "João", "Karina", "Luís",
         "Marina", "Nuno", "Otávio", "Paula", "Raquel", "Sérgio", "Tânia", "Vítor")
LAST = ("Souza", "Lima", "Dias", "Conceição", "Araújo", "Pereira", "Gonçalves", "Rocha", "Martins", "Barbosa")

# ALGAR's custom schema (OIDs under 99.*), as OID holds it; the test OUD (slapd) gets the same definitions
CUSTOM_ATTRIBUTE_TYPES = (
    "( 99.1.1.1 NAME 'cpf' DESC 'CPF do colaborador' EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch "
    "SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )",
    "( 99.1.1.2 NAME 'matricula' DESC 'Matricula funcional' EQUALITY caseIgnoreMatch "
    "SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )",
    "( 99.1.1.3 NAME 'tipoUsuario' DESC 'Tipo de usuario: interno, terceiro, sistema' EQUALITY caseIgnoreMatch "
    "SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )",
    "( 99.1.1.4 NAME 'empresa' DESC 'Empresa do grupo' EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )",
    "( 99.1.1.5 NAME 'contrato' DESC 'Contrato de terceiro' EQUALITY caseIgnoreMatch "
    "SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )",
)
CUSTOM_OBJECT_CLASSES = (
    "( 99.2.1.1 NAME 'algarPerson' DESC 'ALGAR person data' SUP top AUXILIARY "
    "MAY ( cpf $ matricula $ tipoUsuario $ empresa $ contrato ) )",
)
POSIX_ACCOUNT = ("( 1.3.6.1.1.1.2.0 NAME 'posixAccount' DESC 'Abstraction of an account with POSIX attributes' "
                 "SUP top AUXILIARY MUST ( cn $ uid $ uidNumber $ gidNumber $ homeDirectory ) "
                 "MAY ( userPassword $ loginShell $ gecos $ description ) )")
STANDARD_ATTRIBUTE_TYPES = (
    "( 2.5.4.3 NAME ( 'cn' 'commonName' ) SUP name )",
    "( 0.9.2342.19200300.100.1.1 NAME ( 'uid' 'userid' ) EQUALITY caseIgnoreMatch "
    "SYNTAX 1.3.6.1.4.1.1466.115.121.1.15{256} )",
    "( 2.16.840.1.113894.1.1.1 NAME 'orclGUID' EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 "
    "SINGLE-VALUE NO-USER-MODIFICATION USAGE directoryOperation )",
    "( 2.16.840.1.113894.1.1.5 NAME 'orclACI' SYNTAX 1.3.6.1.4.1.1466.115.121.1.1 USAGE directoryOperation )",
)
STANDARD_OBJECT_CLASSES = (
    "( 2.5.6.6 NAME 'person' SUP top STRUCTURAL MUST ( sn $ cn ) MAY ( userPassword $ telephoneNumber ) )",
    "( 2.16.840.1.113894.1.2.2 NAME 'orclContainer' SUP top STRUCTURAL MUST cn )",
)


@dataclass
class Export:
    """What was written, for the assertions."""

    entries: dict[str, str] = field(default_factory=dict)  # source DN -> category the default rules give it
    acls: list[tuple[str, str, str, bool]] = field(default_factory=list)  # (source DN, attribute, value, translatable)
    outside: list[str] = field(default_factory=list)  # DNs outside the realm (rejected)
    custom_schema: tuple[str, ...] = CUSTOM_ATTRIBUTE_TYPES + CUSTOM_OBJECT_CLASSES + (POSIX_ACCOUNT,)

    @property
    def untranslatable(self) -> list[tuple[str, str, str]]:
        return [(d, a, v) for d, a, v, ok in self.acls if not ok]


def _line(attr: str, value: str) -> str:
    """As OID writes it: base64 for non-ASCII, folded at 78 columns."""
    text = f"{attr}: {value}" if value.isascii() else f"{attr}:: {base64.b64encode(value.encode()).decode()}"
    if len(text) <= 78:
        return text + "\n"
    return text[:78] + "\n" + "".join(" " + text[i:i + 77] + "\n" for i in range(78, len(text), 77))


class _Writer:
    def __init__(self, fh: object, export: Export) -> None:
        self.fh = fh
        self.export = export
        self.serial = 0

    def entry(self, dn: str, category: str | None, attrs: list[tuple[str, str]], *, operational: bool = True) -> None:
        self.serial += 1
        digest = hashlib.sha1(dn.encode()).hexdigest()
        lines = [_line("dn", dn)] + [_line(a, v) for a, v in attrs]
        if operational:  # what an OID export carries and OUD must not be given
            lines += [_line("orclguid", digest[:32].upper()),
                      _line("creatorsname", f"cn=orcladmin,{BASE}"), _line("modifiersname", "cn=orcladmin"),
                      _line("createtimestamp", f"2019{self.serial % 12 + 1:02d}15120000z"),
                      _line("modifytimestamp", f"2024{self.serial % 12 + 1:02d}20083000z")]
        self.fh.write("".join(lines) + "\n")  # type: ignore[attr-defined]
        if category is not None:
            self.export.entries[dn] = category

    def acl(self, dn: str, attr: str, value: str, translatable: bool) -> tuple[str, str]:
        self.export.acls.append((dn, attr, value, translatable))
        return attr, value


def write(path: Path, users: int = 240, groups: int = 30) -> Export:
    """Write the export; `users` scales it (the bench writes 100k entries this way)."""
    export = Export()
    with path.open("w", encoding="utf-8") as fh:
        w = _Writer(fh, export)
        fh.write("version: 1\n\n")
        schema = [("objectclass", "top"), ("objectclass", "subschema"), ("cn", "subschemasubentry")]
        schema += [("attributetypes", v) for v in STANDARD_ATTRIBUTE_TYPES + CUSTOM_ATTRIBUTE_TYPES]
        schema += [("objectclasses", v) for v in (*STANDARD_OBJECT_CLASSES, POSIX_ACCOUNT, *CUSTOM_OBJECT_CLASSES)]
        w.entry("cn=subschemasubentry", None, schema, operational=False)
        admins, helpdesk = f"cn=DirectoryAdmins,ou=Groups,{BASE}", f"cn=HelpDesk,ou=Groups,{BASE}"
        w.entry(BASE, "hierarchy", [
            ("objectclass", "top"), ("objectclass", "dcObject"), ("objectclass", "organization"), ("dc", "algar"),
            ("o", "ALGAR Telecom"),
            w.acl(BASE, "orclaci", f'access to entry by group="{admins}" (browse,add,delete) '
                                   "by * (browse,noadd,nodelete)", True),
            w.acl(BASE, "orclaci", f'access to attr=(*) by group="{admins}" (read,search,write,compare) '
                                   "by self (read,search,compare,write) by * (read,search,compare)", True),
            w.acl(BASE, "orclentrylevelaci", "access to entry by * (browse)", True),
        ])
        context = f"cn=OracleContext,{BASE}"
        for dn in (context, f"cn=Products,{context}", f"cn=Common,cn=Products,{context}",
                   f"cn=pwdPolicies,cn=Common,cn=Products,{context}"):
            w.entry(dn, "hierarchy", [("objectclass", "top"), ("objectclass", "orclContainer"),
                                      ("cn", dn.split(",")[0][3:])])
        for name, age in (("default", "7776000"), ("privileged", "2592000")):
            dn = f"cn={name},cn=pwdPolicies,cn=Common,cn=Products,{context}"
            w.entry(dn, "policies", [("objectclass", "top"), ("objectclass", "orclPwdPolicy"), ("cn", name),
                                     ("pwdMaxAge", age), ("pwdMinLength", "8" if name == "default" else "14")])
        people = f"ou=People,{BASE}"
        w.entry(people, "hierarchy", [
            ("objectclass", "top"), ("objectclass", "organizationalUnit"), ("ou", "People"),
            w.acl(people, "orclaci", f'access to attr=(userPassword) by self (write,compare) by group="{helpdesk}" '
                                     "(write) by * (compare)", True),
            w.acl(people, "orclaci", "access to attr!=(userPassword, cpf) filter=(objectclass=inetOrgPerson) "
                                     "by * (read,search)", True),
            w.acl(people, "orclaci", "access to attr=(cpf,matricula) by dnattr=(manager) (read,search) "
                                     "by * (noread,nosearch)", True),
            w.acl(people, "orclaci", "access to entry by * bindmode=(SSLOneWay) (browse)", False),
        ])
        for dept in DEPARTMENTS:
            w.entry(f"ou={dept},{people}", "hierarchy", [("objectclass", "top"),
                                                         ("objectclass", "organizationalUnit"), ("ou", dept)])
        for ou in ("Groups", "Roles", "Services", "Documents"):
            dn = f"ou={ou},{BASE}"
            attrs = [("objectclass", "top"), ("objectclass", "organizationalUnit"), ("ou", ou)]
            if ou == "Groups":
                attrs += [w.acl(dn, "orclaci", "access to attr=(uniqueMember) by groupattr=(owner) "
                                               "(read,search,write,selfwrite) by * (read,search)", True),
                          w.acl(dn, "orclaci", "access to entry by * bindmode=(Simple) (browse)", True)]
            elif ou == "Roles":
                attrs += [w.acl(dn, "orclaci", f'access to entry by group="{admins}" '
                                               "added_object_constraint=(objectclass=organizationalRole) (add)",
                                False)]
            elif ou == "Services":
                attrs += [w.acl(dn, "orclaci", "access to entry by guidattr=(orclOwnerGUID) (browse,add)", False)]
            else:
                attrs += [w.acl(dn, "orclaci", "access to attr=(cn) by * (browse)", False),
                          w.acl(dn, "orclaci", "acess to entry by * (browse)", False)]
            w.entry(dn, "hierarchy", attrs)
        uids: list[str] = []
        for i in range(users):
            first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
            uid = f"u{i:06d}"
            dept = DEPARTMENTS[i % len(DEPARTMENTS)]
            dn = f"uid={uid},ou={dept},{people}"
            uids.append(dn)
            attrs = [("objectclass", "top"), ("objectclass", "person"), ("objectclass", "organizationalPerson"),
                     ("objectclass", "inetOrgPerson"), ("objectclass", "algarPerson")]
            if i % 5 == 0:
                attrs.append(("objectclass", "posixAccount"))
            attrs += [("uid", uid), ("cn", f"{first} {last}"), ("sn", last), ("givenName", first),
                      ("mail", f"{uid}@algar.com.br"), ("telephoneNumber", f"+55 34 3256-{i % 10000:04d}"),
                      ("cpf", f"{(i * 7919) % 10**11:011d}"), ("matricula", f"M{i:07d}"),
                      ("tipoUsuario", "terceiro" if i % 9 == 0 else "interno"), ("empresa", "ALGAR Telecom"),
                      ("userPassword", "{SSHA}" + base64.b64encode(hashlib.sha1(uid.encode()).digest() + b"salt")
                       .decode()),
                      ("authpassword;oid", "{SASL/MD5}" + hashlib.md5(uid.encode()).hexdigest())]
            if i % 9 == 0:
                attrs.append(("contrato", f"CT-{2020 + i % 5}-{i:05d}"))
            if i % 5 == 0:
                attrs += [("uidNumber", str(10000 + i)), ("gidNumber", "10000"), ("homeDirectory", f"/home/{uid}"),
                          ("loginShell", "/bin/bash")]
            if i >= 10:
                attrs.append(("manager", uids[i % 10]))
            if i % 50 == 0:
                attrs.append(("description", f"Colaborador de {dept} desde 20{10 + i % 14}; responsável pelos "
                              "sistemas de faturamento e atendimento da regional Triângulo Mineiro"))
            if i % 40 == 7:
                attrs.append(w.acl(dn, "orclentrylevelaci", "access to attr=(telephoneNumber) by dnattr=(manager) "
                                                            "(read,search,write) by * (read,search)", True))
            w.entry(dn, "users", attrs)
        names = ["DirectoryAdmins", "HelpDesk"] + [f"Projeto{n:03d}" for n in range(groups - 2)]
        for n, name in enumerate(names):
            dn = f"cn={name},ou=Groups,{BASE}"
            members = [uids[(n * 13 + k * 7) % len(uids)] for k in range(3 + n % 5)] if uids else []
            kind = "groupOfUniqueNames" if n % 3 else "groupOfNames"
            attr = "uniqueMember" if kind == "groupOfUniqueNames" else "member"
            attrs = [("objectclass", "top"), ("objectclass", kind), ("cn", name),
                     ("description", f"Grupo {name}")] + [(attr, m) for m in members]
            attrs.append(("owner", uids[n % len(uids)] if uids else admins))
            if n % 10 == 4:
                attrs.append(w.acl(dn, "orclentrylevelaci", f"access to attr=({attr}) by self (selfwrite) "
                                                            f'by group="{admins}" (read,search,write)', True))
            w.entry(dn, "groups", attrs)
        for n in range(10):
            dn = f"cn=Papel{n:02d},ou=Roles,{BASE}"
            w.entry(dn, "roles", [("objectclass", "top"), ("objectclass", "organizationalRole"), ("cn", f"Papel{n:02d}"),
                                  ("roleOccupant", uids[n % len(uids)] if uids else admins)])
        for n in range(8):
            dn = f"cn=srv{n:02d},ou=Services,{BASE}"
            attrs = [("objectclass", "top"), ("objectclass", "device"), ("cn", f"srv{n:02d}"),
                     ("serialNumber", f"SN-{n:05d}"), ("description", "servidor de aplicação")]
            if n == 3:
                attrs.append(w.acl(dn, "orclentrylevelaci", f'access to entry by dn="{uids[0] if uids else admins}" '
                                                            "(browse,delete)", True))
            w.entry(dn, "resources", attrs)
        for n in range(4):
            w.entry(f"cn=batch{n},ou=Services,{BASE}", "resources", [
                ("objectclass", "top"), ("objectclass", "applicationProcess"), ("cn", f"batch{n}")])
        for n in range(6):
            w.entry(f"documentIdentifier=DOC-{n:03d},ou=Documents,{BASE}", "other", [
                ("objectclass", "top"), ("objectclass", "document"), ("documentIdentifier", f"DOC-{n:03d}"),
                ("documentTitle", f"Política de acesso {n}")])
        for dn in ("cn=OracleContext", "cn=OracleSchemaVersion,cn=OracleContext"):
            w.entry(dn, None, [("objectclass", "top"), ("objectclass", "orclContainer"), ("cn", dn.split(",")[0][3:])])
            export.outside.append(dn)
    return export


__all__ = ["BASE", "CUSTOM_ATTRIBUTE_TYPES", "CUSTOM_OBJECT_CLASSES", "POSIX_ACCOUNT", "Export", "write"]

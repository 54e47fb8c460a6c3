"""The reference server's customers: PATCH semantics, the business rules, and the representation.

The business rules are the reference server's own choices where the platform documents none:
- identifiable: a customer keeps at least one of email, phoneNumber, externalId or customerNumber;
- geocoding: a location without geolocation is placed at its country's first zone in the tz table;
  a country the table lacks cannot be geocoded;
- time zones: a sent timeZone must be an IANA zone name; otherwise, when a location is sent (or
  timeZone is sent as null), the zone whose principal place is nearest the location, if any is
  within reach.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import struct
import threading
import time
import zoneinfo
from collections.abc import Iterable
from typing import Any

from engage_contract.contract import Contract
from engage_contract.reference import places
from engage_contract.reference.faults import Switches

IDENTIFYING_FIELDS = ("email", "phoneNumber", "externalId", "customerNumber")
DEFAULT_LANGUAGE = "en"
OTHER_DEFAULT_LANGUAGE = "nl"  # the legal-default-language variant's
MISMATCHED_TIME_ZONE = "Asia/Tokyo"  # legal-location-decides-time-zone's customers: not where they live
GEOCODED_POSTAL_CODE = "0000"  # legal-geocoder-fills'
COORDINATE_DECIMALS = 7  # the legal-coordinates-rounded variant's, as the page's example carries
# What the empty-body-changes fault clears: nothing that identifies the customer, so the update goes through.
CLEARED_BY_EMPTY_BODY = ("firstName", "lastName", "company", "notes", "language")
DEFAULT_TIME_ZONE = "UTC"
CREATED_AT = "2026-01-05T09:30:00.000Z"
TRANSLATABLE = ("city", "state", "street1", "street2")
WRITE_SECONDS = 0.03  # lost-update and legal-simultaneous-409: how long a write takes
NAMESAKE_FIELDS = ("company", "email")  # update-renames-namesakes
SERVER_SET = ("createdAt", "updatedAt", "deletedAt")  # server-set-from-body
NOT_TEXT = ("language", "timeZone")
BLANKED = ("firstName", "lastName", "company")  # blank-trimmed-to-empty  # legal-text-trimmed: enum values and zone names are not free text


class BusinessError(Exception):
    def __init__(self, code: str, message: str, **arguments: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.arguments = arguments or None


class Busy(Exception):
    """legal-simultaneous-409: the customer is being written by another update."""


def _without_updated_at(record: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if key != "updatedAt"}


def _as_offset(zone: str) -> str:
    """chosen-time-zone-as-offset: a zone as its UTC offset now, as a careless serialiser writes it."""
    offset = dt.datetime.now(zoneinfo.ZoneInfo(zone)).utcoffset() or dt.timedelta()
    minutes = int(offset.total_seconds() // 60)
    return f"UTC{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _as_float32(value: float) -> float:
    """coordinates-as-float32: a number as a single-precision column keeps it."""
    return struct.unpack("f", struct.pack("f", value))[0]


def timestamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def seed_customers(ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    # The same in every start of the server: a journal kept from an earlier one still matches its customers.
    created = CREATED_AT
    customers = {}
    for number, customer_id in enumerate(ids, start=1):
        customers[customer_id] = {
            "id": customer_id,
            "externalId": f"EXT-{customer_id}",
            "customerNumber": f"{100000 + number}",
            "email": f"customer{number}@example.com",
            "firstName": "Ada",
            "lastName": "Lovelace",
            "company": "Acme Corp",
            "language": "en",
            "notes": None,
            "phoneNumber": "+32412345678",
            "existing": True,
            "timeZone": "Europe/Brussels",
            "createdAt": created,
            "updatedAt": created,
            "deletedAt": None,
            "location": {
                "postalCode": "9000",
                "countryCode": "BE",
                "geolocation": {"latitude": 51.0479466, "longitude": 3.6912248},
                "translations": {
                    "city": [{"language": "en", "value": "Ghent"}, {"language": "nl", "value": "Gent"}],
                    "state": [],
                    "street1": [{"language": "en", "value": "Korenmarkt 1"}],
                    "street2": [],
                },
            },
        }
    return customers


def accepted_languages(header: str | None, by_weight: bool = False, case_sensitive: bool = False) -> list[str]:
    """The tags of an Accept-Language value in the order given (or ranked by q weight), primary subtag only, in
    lower case (RFC 5646: tags know no case; `case_sensitive`, a fault, keeps them as sent)."""
    if not header or not header.strip():
        return ["*"]
    weighted = []
    for item in re.sub(r" *; *", ";", header).replace(",", " ").split():
        tag, _, parameters = item.partition(";")
        tag = tag.strip() if case_sensitive else tag.strip().lower()
        try:
            weight = float(parameters.partition("=")[2]) if parameters else 1.0
        except ValueError:
            weight = 1.0
        if tag and weight > 0:
            weighted.append((tag if tag == "*" else tag.split("-", 1)[0], weight))
    if by_weight:
        weighted.sort(key=lambda pair: -pair[1])
    return [tag for tag, _ in weighted] or ["*"]


def _cut_at_nul(value: Any) -> Any:
    """Every string in a body cut at its first NUL (the nul-truncates fault)."""
    if isinstance(value, str):
        return value.split("\u0000", 1)[0]
    if isinstance(value, dict):
        return {key: _cut_at_nul(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_cut_at_nul(inner) for inner in value]
    return value


def _picked(entry: dict[str, Any]) -> dict[str, str]:
    # A translation sent may carry more properties; the picked value has exactly these two.
    return {"language": entry["language"], "value": entry["value"]}


def _cache_key(customer_id: str) -> str:
    """cache-key-truncated: a key cut to the key store's 16 characters (ids with one prefix share it)."""
    return f"customers:v2:{customer_id}"[:16]


class Store:
    """Customers in memory, behind one lock; `update` applies a PATCH body that the schema accepted."""

    def __init__(self, contract: Contract, customer_ids: Iterable[str], faults: Switches = Switches()):
        self._fields = [name for name in contract.request_fields if name != "location"]
        self._required = set(contract.component("Customer")["required"]) | set(contract.component("Location")["required"])
        self._faults = faults
        self._languages = contract.languages
        self._default_language = OTHER_DEFAULT_LANGUAGE if "legal-default-language" in faults else DEFAULT_LANGUAGE
        self._lock = threading.Lock()
        self._customers = seed_customers(customer_ids)
        self._writing: set[str] = set()  # legal-simultaneous-409: the customers being written
        self._replica: dict[str, dict[str, Any]] = {}  # replica-one-write-behind: each customer before its last write
        self._reads = 0
        self._cache: dict[str, dict[str, Any]] = {}  # cache-key-truncated: records by their cut key
        self._bind_buffer: dict[str, Any] = {}  # null-bind-buffer-reused: each column's last non-null value
        self._snapshot: dict[str, Any] | None = None  # dirty-check-other-snapshot: the last customer loaded or written
        self._formatted: dict[str, str] = {}  # formatted-address-from-old-row: each customer's, from before its update
        if "legal-location-decides-time-zone" in faults:
            for record in self._customers.values():
                record["timeZone"] = MISMATCHED_TIME_ZONE

    def get(self, customer_id: str) -> dict[str, Any] | None:
        with self._lock:
            if "cache-key-truncated" in self._faults and _cache_key(customer_id) in self._cache:
                return copy.deepcopy(self._cache[_cache_key(customer_id)])
            record = self._customers.get(self._row_id(customer_id))
            if record is not None and "cache-key-truncated" in self._faults:
                self._cache[_cache_key(customer_id)] = copy.deepcopy(record)
            if record is not None and "dirty-check-other-snapshot" in self._faults:
                self._snapshot = copy.deepcopy(record)
            if "replica-one-write-behind" in self._faults and customer_id in self._replica:
                self._reads += 1
                if self._reads % 2:  # every other read goes to the replica, which has all but the last write
                    record = self._replica[customer_id]
            return copy.deepcopy(record) if record is not None else None

    def store_partially(self, customer_id: str, body: Any) -> None:
        """Keep the scalar fields of a rejected body (only the `invalid-changes-state` fault calls this)."""
        if not isinstance(body, dict):
            return
        with self._lock:
            record = self._customers.get(customer_id)
            if record is None:
                return
            for name in self._fields:
                value = body.get(name)
                if isinstance(value, str) and value:
                    record[name] = value

    def update(self, customer_id: str, body: dict[str, Any], empty: bool = False) -> dict[str, Any] | None:
        """Apply a PATCH (`empty`: none was sent); None for an unknown id; BusinessError for a business rule; Busy
        while another update of the customer is being written (legal-simultaneous-409)."""
        faults = self._faults.at(customer_id)
        if "legal-simultaneous-409" in faults:
            with self._lock:
                if customer_id in self._writing:
                    raise Busy(customer_id)
                self._writing.add(customer_id)
            try:
                time.sleep(WRITE_SECONDS)
                with self._lock:
                    return self._update(customer_id, body, empty)
            finally:
                with self._lock:
                    self._writing.discard(customer_id)
        if "lost-update" in faults:
            with self._lock:
                read = copy.deepcopy(self._customers.get(self._row_id(customer_id)))
            time.sleep(WRITE_SECONDS)  # the work between the read and the write, without a lock on the row
            with self._lock:
                current = self._customers.get(customer_id)
                if read is None or current is None:
                    return self._update(customer_id, body, empty)
                self._customers[customer_id] = read  # the whole row as it was read, changed and written back
                try:
                    return self._update(customer_id, body, empty)
                except BusinessError:
                    self._customers[customer_id] = current
                    raise
        with self._lock:
            return self._update(customer_id, body, empty)

    def _row_id(self, customer_id: str) -> str:
        """The id of the row a path id finds (id-parsed-as-number: a number's other spellings find it too)."""
        if customer_id in self._customers or "id-parsed-as-number" not in self._faults:
            return customer_id
        try:
            return str(int(customer_id))
        except ValueError:
            return customer_id

    def _update(self, customer_id: str, body: dict[str, Any], empty: bool) -> dict[str, Any] | None:
        faults = self._faults.at(customer_id)
        named = body.get("id") if isinstance(body.get("id"), str) else None
        if named is not None and named in self._customers and "body-id-selects-customer" in faults:
            customer_id = named  # the ORM takes the body's primary key over the path's
        customer_id = self._row_id(customer_id)
        record = self._customers.get(customer_id)
        if record is None:
            if "upsert-unknown" not in self._faults:
                return None
            record = seed_customers([customer_id])[customer_id]
        echoed = [name for name in self._fields if isinstance(body.get(name), str) and isinstance(record.get(name), str)
                  and body[name] != record[name] and body[name].casefold() == record[name].casefold()
                  ] if "case-insensitive-no-op" in faults else []
        try:
            updated = self._apply(copy.deepcopy(record), body, unwritten=echoed)
        except BusinessError as error:
            if error.code == "LOCATION_GEOCODING_FAILED" and "non-atomic-422" in faults:
                record.update({name: body[name] for name in self._fields if name in body})
            raise
        if empty and "empty-body-changes" in self._faults:
            updated.update(dict.fromkeys(CLEARED_BY_EMPTY_BODY))
        if "legal-no-op-keeps-updated-at" in faults and _without_updated_at(updated) == _without_updated_at(record):
            updated["updatedAt"] = record["updatedAt"]
        if "formatted-address-from-old-row" in faults and record["location"] is not None:
            self._formatted[customer_id] = self._format_address(record["location"])
        if "replica-one-write-behind" in faults:
            self._replica[customer_id] = copy.deepcopy(record)
        if "language-copied-to-company" in faults and "language" in body and updated.get("company") is not None:
            for other in self._customers.values():  # an after-commit job keeps a company's customers in one language
                if other is not record and other.get("company") == updated["company"]:
                    other["language"] = updated["language"]
        if "update-renames-namesakes" in faults:
            for name in NAMESAKE_FIELDS:
                if record.get(name) is not None and updated.get(name) != record[name]:
                    for other in self._customers.values():
                        if other is not record and other.get(name) == record[name]:
                            other[name] = updated[name]
        if named is not None and named not in self._customers and "body-id-creates-customer" in faults:
            self._customers[named] = {**copy.deepcopy(updated), "id": named}  # save() of an object with a new key inserts
        answered = copy.deepcopy(updated)
        answered.update({name: body[name] for name in echoed})
        if "utc-minus-zero-on-write" in faults:
            answered["updatedAt"] = answered["updatedAt"].replace("Z", "-00:00")
        if "legal-coordinates-rounded" in self._faults and updated["location"] is not None:
            geolocation = updated["location"]["geolocation"]
            for key, value in geolocation.items():
                geolocation[key] = round(value, COORDINATE_DECIMALS)
        updated = self._as_written(record, updated, body)
        if "not-persisted" not in self._faults:
            self._customers[customer_id] = updated
        self._after_write(customer_id, record, updated, body)
        return answered

    def _as_written(self, record: dict[str, Any], updated: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        """The row as the storage writes it (red team: an ORM's dirty check, a reused bind buffer)."""
        faults = self._faults.at(record["id"])
        if "dirty-check-other-snapshot" in faults and self._snapshot is not None:
            updated = copy.deepcopy(updated)
            for name in self._fields:  # a field equal to the snapshot's is "not dirty": left out of the UPDATE
                if name in body and body[name] == self._snapshot.get(name):
                    updated[name] = record[name]
        if "null-bind-buffer-reused" in faults:
            updated = copy.deepcopy(updated)
            for name in self._fields:
                if name not in body or name in ("existing", "timeZone"):
                    continue
                if body[name] is None and name in self._bind_buffer:
                    updated[name] = self._bind_buffer[name]
                elif body[name] is not None:
                    self._bind_buffer[name] = body[name]
        return updated

    def _after_write(self, customer_id: str, record: dict[str, Any], stored: dict[str, Any],
                     body: dict[str, Any]) -> None:
        """What else a write changes (red team: rows updated by value, a shared address row, unique emails moved,
        a cache with keys cut short, the ORM's snapshot)."""
        faults = self._faults.at(customer_id)
        others = [other for other_id, other in self._customers.items() if other_id != customer_id]
        old_phone = record.get("phoneNumber")
        if ("phone-updated-by-old-value" in faults and "phoneNumber" in body and old_phone is not None
                and old_phone != stored["phoneNumber"]):
            for other in others:  # UPDATE ... SET phone = :new WHERE phone = :old
                if other.get("phoneNumber") == old_phone:
                    other["phoneNumber"] = stored["phoneNumber"]
        old_location = record.get("location")
        if "shared-address-row" in faults and body.get("location") is not None and old_location is not None:
            row = (old_location.get("postalCode"), old_location.get("countryCode"))
            for other in others:  # one address row per postal code and country, overwritten in place
                location = other.get("location")
                if location is not None and (location.get("postalCode"), location.get("countryCode")) == row:
                    other["location"] = copy.deepcopy(stored["location"])
        if "email-unique-by-moving" in faults and isinstance(body.get("email"), str):
            for other in others:  # an email is kept unique by taking it from whoever had it
                if isinstance(other.get("email"), str) and other["email"].lower() == body["email"].lower():
                    other["email"] = None
        if "cache-key-truncated" in faults:
            self._cache[_cache_key(customer_id)] = copy.deepcopy(stored)
        if "dirty-check-other-snapshot" in faults:
            self._snapshot = copy.deepcopy(stored)


    def _apply(self, record: dict[str, Any], body: dict[str, Any], unwritten: Iterable[str] = ()) -> dict[str, Any]:
        faults = self._faults.at(record["id"])
        if "nul-truncates" in faults:
            body = _cut_at_nul(body)
        if "existing" in body and body["existing"] is not None and "existing-false-soft-deletes" in faults:
            record["deletedAt"] = None if body["existing"] else timestamp(_now())  # true brings it back
        for name in self._fields:
            if name in body:
                if name == "company" and "drop-field" in faults:
                    continue
                if name in unwritten:
                    continue
                sent = body[name]
                if ("trim-compared-not-stored" in faults and isinstance(sent, str) and isinstance(record[name], str)
                        and sent.strip() == record[name].strip()):
                    continue
                if "legal-text-trimmed" in faults and isinstance(sent, str) and name not in NOT_TEXT and sent.strip():
                    record[name] = sent.strip()
                    continue
                if body[name] is None and "null-ignored" in faults and name not in ("existing", "timeZone"):
                    continue
                record[name] = body[name]
            elif "reset-unsent" in faults and name not in ("existing", "timeZone"):
                record[name] = None
        for name in self._fields if "utf8mb3-astral-to-question-mark" in faults else ():
            if isinstance(record[name], str):
                record[name] = re.sub("[\U00010000-\U0010FFFF]", "?", record[name])
        if record["existing"] is None and "existing-null-stored" not in faults:
            record["existing"] = False
        for name in BLANKED if "blank-trimmed-to-empty" in faults else ():
            if isinstance(record.get(name), str):
                record[name] = record[name].strip()
        if "cut-at-255-bytes" in faults and isinstance(record.get("externalId"), str):
            record["externalId"] = record["externalId"].encode()[:255].decode("utf-8", "ignore")
        if "location" in body:
            sent = body["location"]
            if sent is not None and record["location"] is not None and "legal-location-merged" in faults:
                sent = self._merged(record["location"], sent)
            if (sent is not None and record["location"] is not None and sent.get("postalCode") is None
                    and "null-postal-code-kept" in faults):  # merged with `or`: a null is no value to it
                sent = {**sent, "postalCode": record["location"]["postalCode"]}
            record["location"] = self._locate(sent)
        location_decides = body.get("location") is not None and "legal-location-decides-time-zone" in faults
        if "null-time-zone-stored" in faults and "timeZone" in body and body["timeZone"] is None:
            record["timeZone"] = None
        elif "timeZone" in body and body["timeZone"] is not None and not location_decides:
            if body["timeZone"] not in places.zone_names():
                raise BusinessError(
                    "LOCATION_TIME_ZONE_RESOLUTION_FAILED",
                    "The time zone is not a known IANA time zone.",
                    timeZone=body["timeZone"],
                )
        elif record["location"] is not None and ("location" in body or "timeZone" in body):
            geolocation = record["location"]["geolocation"]
            zone = places.time_zone_at(geolocation["latitude"], geolocation["longitude"])
            if zone is None:
                raise BusinessError(
                    "LOCATION_TIME_ZONE_RESOLUTION_FAILED",
                    "No time zone could be resolved for the location.",
                    **geolocation,
                )
            record["timeZone"] = _as_offset(zone) if "chosen-time-zone-as-offset" in faults else zone
        elif record["timeZone"] is None:
            record["timeZone"] = DEFAULT_TIME_ZONE
        if all(record[name] is None for name in IDENTIFYING_FIELDS):
            raise BusinessError(
                "CUSTOMER_NOT_IDENTIFIABLE",
                "A customer needs at least one of " + ", ".join(IDENTIFYING_FIELDS) + ".",
            )
        now = _now()
        record["updatedAt"] = timestamp(now)
        if "created-at-moves" in faults:
            record["createdAt"] = record["updatedAt"]
        if "server-set-from-body" in faults:
            record.update({name: body[name] for name in SERVER_SET if name in body})
        if "updated-before-created" in faults:
            record["updatedAt"] = timestamp(dt.datetime.fromisoformat(record["createdAt"]) - dt.timedelta(days=1))
        return record

    @staticmethod
    def _merged(stored: dict[str, Any], sent: dict[str, Any]) -> dict[str, Any]:
        """A sent location merged into the stored one as RFC 7396 would: what is left out is kept."""
        merged = {"postalCode": stored["postalCode"], "geolocation": stored["geolocation"], **sent}
        merged["translations"] = {**stored["translations"], **sent["translations"]}
        return merged

    def _locate(self, location: dict[str, Any] | None) -> dict[str, Any] | None:
        if location is None:
            return None
        geolocation = location.get("geolocation")
        if geolocation is None:
            found = places.geocode(location["countryCode"])
            if found is None:
                raise BusinessError(
                    "LOCATION_GEOCODING_FAILED",
                    "The location could not be geocoded.",
                    countryCode=location["countryCode"],
                )
            geolocation = {"latitude": found[0], "longitude": found[1]}
        if "antimeridian-normalised" in self._faults and geolocation["longitude"] == 180:
            geolocation = {**geolocation, "longitude": -180.0}
        translations = location["translations"]
        if "legal-translation-extras-dropped" in self._faults:
            translations = {name: [dict(pair) for pair in dict.fromkeys(tuple(_picked(entry).items())
                                                                     for entry in entries)]
                            for name, entries in translations.items()}
        if "legal-one-translation-per-language" in self._faults:  # keyed on language: the last one sent wins
            translations = {name: list({entry.get("language"): entry for entry in entries}.values())
                            for name, entries in translations.items()}
        if "legal-geocoder-fills" in self._faults:
            location = {"postalCode": GEOCODED_POSTAL_CODE, **location}
            if "state" not in translations:
                translations = {**translations, "state": [{"language": DEFAULT_LANGUAGE, "value": "Geocoded"}]}
        columns = ("longitude", "latitude") if "geolocation-columns-swapped" in self._faults else ("latitude", "longitude")
        return {
            "postalCode": location.get("postalCode"),
            "countryCode": location["countryCode"].upper() if "legal-country-code-upper" in self._faults
            else location["countryCode"],
            "geolocation": {key: _as_float32(geolocation[column]) if "coordinates-as-float32" in self._faults
                            else geolocation[column] for key, column in zip(("latitude", "longitude"), columns)},
            "translations": {name: list(translations.get(name, [])) for name in TRANSLATABLE},
        }

    def represent(self, record: dict[str, Any], accept_language: str | None, reading: bool = False) -> dict[str, Any]:
        """The `data` object of a 200 body, translatable fields picked for the request's Accept-Language
        (`reading`: for a GET)."""
        data = {key: value for key, value in record.items() if key != "location"}
        if reading and data.get("language") is None and "null-language-filled-on-read" in self._faults:
            data["language"] = DEFAULT_LANGUAGE
        asked = [tag for tag in accepted_languages(accept_language) if tag in self._languages]
        if "language-from-accept-language" in self._faults and asked:
            data["language"] = asked[0]  # the response's language filled from the request's header
        location = record["location"]
        data["location"] = None if location is None else self._represent_location(location, accept_language)
        if data["location"] is not None and record["id"] in self._formatted:  # formatted-address-from-old-row
            data["location"]["formattedAddress"] = self._formatted[record["id"]]
        if "legal-nulls-omitted" in self._faults:
            data = self._without_optional_nulls(data)
            if data.get("location") is not None:
                data["location"] = self._without_optional_nulls(data["location"])
        return data

    def _without_optional_nulls(self, data: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in data.items() if value is not None or key in self._required}

    def _represent_location(self, location: dict[str, Any], accept_language: str | None) -> dict[str, Any]:
        faults = self._faults
        languages = accepted_languages(accept_language, by_weight="legal-weighted-languages" in faults,
                                       case_sensitive="case-sensitive-accept-language" in faults)
        if "first-language-only" in faults:
            languages = languages[:1]
        if "unlisted-language-gets-default" in faults:
            languages = [tag if tag == "*" or tag in self._languages else "*" for tag in languages]
        picked = {name: self._pick(location["translations"][name], languages) for name in TRANSLATABLE}
        if "foreign-translation" in self._faults and picked["city"] is not None:
            picked["city"] = {"language": picked["city"]["language"], "value": picked["city"]["value"] + " (fr)"}
        represented = {
            **picked,
            "postalCode": None if "lose-postal-code" in faults else location["postalCode"],
            "countryCode": location["countryCode"],
            "formattedAddress": self._format_address(location),
            "geolocation": location["geolocation"],
            "translations": location["translations"],
        }
        if "null-translation-key-omitted" in faults:
            represented = {key: value for key, value in represented.items() if key not in picked or value is not None}
        if "legal-location-extras" in faults:
            represented["countryName"] = f"{location['countryCode']} ({languages[0]})"
        return represented

    def _pick(self, entries: list[dict[str, str]], languages: list[str]) -> dict[str, str] | None:
        """The translation in the first language asked that has one; for `*`, the default language's, then
        any; otherwise null (api-notes, Accept-Language)."""
        if "ignores-accept-language" in self._faults:
            return _picked(entries[0]) if entries else None
        for tag in languages:
            wanted = self._default_language if tag == "*" else tag
            for entry in entries:
                if entry["language"] == wanted:
                    return _picked(entry)
            if tag == "*" and entries and "any-language-default-only" not in self._faults:
                return _picked(entries[0])
        if "absent-translation-falls-back" in self._faults and entries:
            return _picked(entries[0])
        return None

    @staticmethod
    def _format_address(location: dict[str, Any]) -> str:
        def first(name: str) -> str:
            entries = location["translations"][name]
            return entries[0]["value"] if entries else ""

        locality = " ".join(part for part in (location["postalCode"] or "", first("city")) if part)
        country = places.country_names().get(location["countryCode"].upper(), location["countryCode"])
        parts = (first("street1"), first("street2"), locality, first("state"), country)
        return ", ".join(part for part in parts if part.strip()) or location["countryCode"]

"""The andon pulls stopping one SKU's sale: stopped while any is open (SPEC §2.5)."""

from uuid import UUID

from shared.stops import OpenStops

SaleStops = OpenStops[UUID]

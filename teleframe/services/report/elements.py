"""The documentation elements a session note needs, who requires them, and how each is checked."""

from __future__ import annotations

from teleframe.services.report import checks
from teleframe.services.report.checks import Check

# (id, label, required, sources, check)
ELEMENTS: tuple[tuple[str, str, bool, tuple[str, ...], Check], ...] = (
    (
        "alternate_contact",
        "Alternative way to reach the client if the technology fails",
        True,
        ("MD-COMAR-10.42.10.04-B1",),
        checks.alternate_contact,
    ),
    (
        "client_jurisdiction",
        "Client's state or jurisdiction confirmed",
        True,
        ("MD-COMAR-10.42.10.04-B2",),
        checks.jurisdiction,
    ),
    (
        "client_specific_location",
        "Address of the client's present location",
        True,
        ("MD-COMAR-10.42.10.04-B2", "CA-16CCR1815.5-each-session", "PAYER-SHP-telehealth"),
        checks.specific_location,
    ),
    (
        "place_of_service",
        "Place of service (client at home or not)",
        True,
        ("CMS-CR12427-POS",),
        checks.place_of_service,
    ),
    (
        "others_present_identified",
        "Everyone present with the client identified",
        True,
        ("MD-COMAR-10.42.10.04-B3", "ATA-documentation", "documentation-guides"),
        checks.others_identified,
    ),
    (
        "others_present_permitted",
        "Everyone present with the client permitted to hear health information",
        True,
        ("MD-COMAR-10.42.10.04-B3",),
        checks.others_permitted,
    ),
    (
        "clinician_side_present",
        "Everyone present at the clinician's location identified and permitted",
        True,
        ("MD-COMAR-10.42.10.04-B3",),
        checks.clinician_side,
    ),
    (
        "emergency_resources",
        "Emergency services contact for the client's location",
        True,
        ("MD-COMAR-10.42.10.04-safety", "CA-16CCR1815.5-resources"),
        checks.emergency_resources,
    ),
    (
        "emergency_contact",
        "Emergency contact person",
        False,
        ("ATA-documentation",),
        checks.emergency_contact,
    ),
    (
        "client_full_name",
        "Client's full name",
        True,
        ("CA-16CCR1815.5-each-session",),
        checks.full_name,
    ),
    (
        "client_identity_verified",
        "Client's identity verified this session",
        True,
        ("CA-16CCR1815.5-each-session",),
        checks.identity,
    ),
    (
        "appropriateness",
        "Telehealth appropriate now (good time to proceed, not driving)",
        True,
        ("CA-16CCR1815.5-appropriateness",),
        checks.appropriateness,
    ),
    (
        "privacy",
        "Private location and able to speak freely",
        True,
        ("CA-16CCR1815.5-appropriateness", "documentation-guides"),
        checks.privacy,
    ),
    (
        "modality",
        "Method of telehealth for every part of the session",
        True,
        ("PAYER-SHP-telehealth", "ATA-documentation", "documentation-guides"),
        checks.modality,
    ),
    (
        "start_stop_times",
        "Time spent, with actual start and stop times",
        True,
        ("PAYER-SHP-telehealth", "documentation-guides"),
        checks.times,
    ),
    (
        "clinical_participants",
        "Clinical participants and their roles",
        True,
        ("PAYER-SHP-telehealth", "ATA-documentation"),
        checks.participants,
    ),
    (
        "provider_location",
        "Clinician's location",
        False,
        ("PAYER-SHP-telehealth", "ATA-documentation"),
        checks.provider_location,
    ),
    (
        "telehealth_consent",
        "Client's consent to telehealth (or why it was not available)",
        True,
        ("PAYER-SHP-telehealth", "MD-Medicaid-COMAR-10.09.49", "ATA-documentation"),
        checks.consent,
    ),
    (
        "technology_problems",
        "Technology problems during the session",
        True,
        ("documentation-guides",),
        checks.technology_problems,
    ),
    (
        "audio_only_reason",
        "Why video was not used for audio-only parts",
        True,
        ("CMS-CY2025-PFS-audio-only",),
        checks.audio_only_reason,
    ),
)

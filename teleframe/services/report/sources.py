"""The regulations, payer rules and guides the completeness elements are drawn from."""

# Where each completeness element comes from; `evidence` follows reference/domain.md's tags.
SOURCES: dict[str, dict[str, str]] = {
    "MD-COMAR-10.42.10.04-B1": {
        "citation": "Maryland COMAR 10.42.10.04(B)(1): obtain or confirm an alternative method "
        "of contacting the client in case of a technological failure",
        "url": "https://dsd.maryland.gov/regulations/Pages/10.42.10.04.aspx",
        "evidence": "primary",
    },
    "MD-COMAR-10.42.10.04-B2": {
        "citation": "Maryland COMAR 10.42.10.04(B)(2): confirm whether the client is in Maryland "
        "and identify the client's specific location",
        "url": "https://dsd.maryland.gov/regulations/Pages/10.42.10.04.aspx",
        "evidence": "primary",
    },
    "MD-COMAR-10.42.10.04-B3": {
        "citation": "Maryland COMAR 10.42.10.04(B)(3): identify all individuals present at each "
        "location and confirm they are permitted to hear the client's health information",
        "url": "https://dsd.maryland.gov/regulations/Pages/10.42.10.04.aspx",
        "evidence": "primary",
    },
    "MD-COMAR-10.42.10.04-safety": {
        "citation": "Maryland COMAR 10.42.10.04 (procedures before providing services): safety "
        "protocols including contact information for emergency services at the client's location",
        "url": "https://dsd.maryland.gov/regulations/Pages/10.42.10.04.aspx",
        "evidence": "primary",
    },
    "CA-16CCR1815.5-each-session": {
        "citation": "California 16 CCR 1815.5: at each session verify the client's full name and "
        "the address of the client's present location, documented for each session",
        "url": "https://rookiecounseling.com/2025/02/06/telehealth-best-practices",
        "evidence": "secondary",
    },
    "CA-16CCR1815.5-appropriateness": {
        "citation": "California 16 CCR 1815.5: assess whether telehealth is appropriate and use "
        "best practices for confidentiality and safety",
        "url": "https://rookiecounseling.com/2025/02/06/telehealth-best-practices",
        "evidence": "secondary",
    },
    "CA-16CCR1815.5-resources": {
        "citation": "California 16 CCR 1815.5: contact information of relevant resources, "
        "including emergency services, in the client's geographic area",
        "url": "https://www.feministtherapyassociates.com/nb-telemedicine.html",
        "evidence": "secondary",
    },
    "PAYER-SHP-telehealth": {
        "citation": "Security Health Plan telehealth documentation requirements: method, provider "
        "location (recommended), clinical participants with roles, member location, time spent "
        "with start and stop times, documented consent",
        "url": "https://www.securityhealth.org/providers/provider-manual/",
        "evidence": "primary",
    },
    "MD-Medicaid-COMAR-10.09.49": {
        "citation": "Maryland Medicaid COMAR 10.09.49: the participant's consent to telehealth "
        "or an explanation why consent was not available",
        "url": "https://dsd.maryland.gov/regulations/Pages/10.09.49.04.aspx",
        "evidence": "primary",
    },
    "ATA-documentation": {
        "citation": "ATA-attributed note elements: consent, method, patient and provider location, "
        "clinical participants' roles, other individuals present at the visit",
        "url": "https://www.droracle.ai/articles/905934/",
        "evidence": "secondary",
    },
    "documentation-guides": {
        "citation": "Telehealth documentation guides: modality in every note, private location and "
        "able to speak freely, technology problems, exact start and stop times, people present",
        "url": "https://mentalnote.ai/guides/progress-notes-for-telehealth",
        "evidence": "secondary",
    },
    "CMS-CR12427-POS": {
        "citation": "CMS CR 12427: place of service 02 (not at home) or 10 (at home), decided by "
        "where the patient is",
        "url": "https://med.noridianmedicare.com/es/web/jfa/article-detail/-/view/10529/telehealth-place-of-service-code",
        "evidence": "primary",
    },
    "CMS-CY2025-PFS-audio-only": {
        "citation": "CMS CY2025 PFS: audio-only only when the patient is not capable of, or does "
        "not consent to, audio-video; record why",
        "url": "https://medicare.fcso.com/EM/0459457.asp",
        "evidence": "primary",
    },
    "MD-COMAR-10.27.17.04": {
        "citation": "Maryland COMAR 10.27.17.04 (psychiatric nurse practitioners): at the outset "
        "of each teletherapy session identify all individuals present, obtain or confirm an "
        "alternative method of contacting the client, determine whether the client is in "
        "Maryland; informed consent before teletherapy",
        "url": "http://www.dsd.state.md.us/comar/comarhtml/10/10.27.17.04.htm",
        "evidence": "primary",
    },
    "AL-ACT-2022-302": {
        "citation": "Alabama Act 2022-302 (Ala. Code 34-24-701 et seq., physicians, from "
        "2022-07-11): before telehealth the patient identifies their physical location including "
        "city and state; verify identity; obtain and document consent",
        "url": "https://www.albme.gov/resources/licensees/telemedicine/",
        "evidence": "primary",
    },
    "TX-22TAC882.23": {
        "citation": "Texas BHEC 22 TAC 882.23 (adopted 2024-03-22): practice occurs in Texas "
        "while the client is located in Texas, so a Texas licence (or compact) must cover it",
        "url": "https://texreg.sos.state.tx.us/public/readtac$ext.TacPage?sl=R&app=9&p_dir=&p_rloc=&p_tloc=&p_ploc=&pg=1&p_tac=&ti=22&pt=41&ch=882&rl=23",
        "evidence": "primary",
    },
    "MEDICARE-POS-MODIFIERS": {
        "citation": "Medicare: POS 10 when the patient is at home, 02 elsewhere; modifier 95 only "
        "in limited cases from 2024 (NGS, primary); modifier 93 for audio-only, FQ at RHCs/FQHCs, "
        "audio-only when the patient cannot use or does not consent to video (coding guides, "
        "secondary)",
        "url": "https://www.ngsmedicare.com/web/ngs/news-article-details?selectedArticleId=10638446",
        "evidence": "primary",
    },
}

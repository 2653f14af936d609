"""Build the PDF and DOCX documents of the demo knowledge base.

The content of the binary documents lives here, as Python data, so it can be reviewed
and diffed like the Markdown and HTML documents beside it. Run this script after
editing the content:

    /work/venv/bin/python clientloop/demo_data/build_binary_docs.py

Output is deterministic: the PDF carries a fixed creation date, and the DOCX core
properties and zip entry timestamps are fixed, so re-running without content changes
leaves the files byte-identical.

Conventions in the data: a paragraph starting with "- " is a bullet item; one starting
with "1. ", "2. " and so on is a numbered step. PDF text uses the core Helvetica font,
so every string must be encodable as latin-1 (the pound sign is; curly quotes and dashes
are not).
"""

from __future__ import annotations

import io
import sys
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

KB_DIR = Path(__file__).resolve().parent / "kb"
FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)
AUTHOR = "Harbour & Vale Bank"


@dataclass(frozen=True)
class Section:
    """One headed section: the heading text and its paragraphs."""

    heading: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Document:
    """One knowledge document rendered to PDF or DOCX."""

    file_stem: str
    fmt: str  # "pdf" or "docx"
    title: str
    intro: tuple[str, ...]
    sections: tuple[Section, ...]


DOCUMENTS: tuple[Document, ...] = (
    Document(
        file_stem="payee-change-procedure",
        fmt="pdf",
        title="Procedure: Payee and Bank Detail Changes",
        intro=(
            "Procedure owner: Fraud Operations. Version 4, effective 1 August 2026. "
            "Applies to every request to add a payee, change a payee's bank details, or "
            "change the nominated bank account on a savings, ISA, SIPP or loan account, "
            "from personal and business customers, on any channel.",
            "Payment redirection fraud (also called mandate fraud or invoice fraud) is "
            "one of the largest causes of customer loss. The fraudster sends a convincing "
            "email, often from a hacked or look-alike address, saying that a supplier, "
            "solicitor or family member has new bank details. This procedure exists to "
            "stop the money going to the fraudster.",
        ),
        sections=(
            Section(
                "Requests we accept",
                (
                    "- Changes made by the customer themselves in the app or online banking, "
                    "after strong customer authentication.",
                    "- Requests by phone after full telephone security.",
                    "- Requests in branch with photo ID.",
                    "- Written requests (letter, secure message or email) only after the "
                    "call-back verification below. An email on its own is never enough, "
                    "however well we know the customer.",
                ),
            ),
            Section(
                "Warning signs",
                (
                    "Stop and refer to Fraud Operations if any of these apply:",
                    "- The request says the change is urgent, confidential, or must not be discussed by phone.",
                    "- The new account is in a different name from the payee, or abroad when the payee is in the UK.",
                    "- The customer's phone number, email or address changed in the last "
                    "30 days, or the address changed in the last 10 days.",
                    "- The email address differs slightly from the one on file (for example "
                    "an extra letter or a different domain).",
                    "- The request arrives with, or just before, a large payment instruction.",
                    "- The customer says they were told by a caller to move money to a "
                    "'safe account'. Banks never ask customers to do this.",
                ),
            ),
            Section(
                "Call-back verification",
                (
                    "Every written request to change bank details must be confirmed by a "
                    "call-back before it is processed.",
                    "1. Call the customer on a telephone number already on file, held on our "
                    "systems for at least 30 days before the request arrived.",
                    "2. Never use a number, contact name or link given in the request itself, "
                    "in an email signature, or by the person who called in, even if it looks "
                    "genuine.",
                    "3. Complete full telephone security on the call.",
                    "4. Read back the payee name, sort code and account number (or IBAN) from "
                    "the request and ask the customer to confirm each one. Do not read them "
                    "out for the customer to agree to; ask them to read them to you from "
                    "their own source.",
                    "5. Ask how the customer received the new details. If they came by email "
                    "from the payee, tell the customer to confirm them with the payee on a "
                    "number they already know.",
                    "6. If the customer cannot be reached after two attempts on different "
                    "days, do not make the change. Send a secure message asking them to "
                    "call us.",
                ),
            ),
            Section(
                "Processing the change",
                (
                    "Make the change only after a successful call-back (or an app, phone or "
                    "branch request). Run a Confirmation of Payee check on the new details. "
                    "If the result is 'no match' or 'close match', tell the customer the "
                    "result, explain the risk in plain words, and record their decision.",
                    "The customer receives an automatic confirmation by secure message and "
                    "text message to the number on file. Changes made in the app take "
                    "effect immediately.",
                ),
            ),
            Section(
                "High-value payments after a change",
                (
                    "- A second colleague must check the change (four-eyes check) when the "
                    "first payment to the new details is £10,000 or more.",
                    "- The first payment of £10,000 or more to changed details is held for "
                    "24 hours, unless a team leader approves an earlier release after "
                    "speaking to the customer.",
                    "- Business customers paying suppliers should be reminded of the same "
                    "call-back rule for their own accounts payable team.",
                ),
            ),
            Section(
                "If fraud is suspected",
                (
                    "Do not tell the person making the request that you suspect fraud. "
                    "Record the request, raise a Fraud Operations referral marked 'payment "
                    "redirection', and place a temporary block on new payees. If money has "
                    "already left the account, follow the Card Loss and Fraud Procedure "
                    "section on authorised push payment scams and contact the receiving bank "
                    "within the hour.",
                ),
            ),
            Section(
                "Record keeping",
                (
                    "Record in the customer's notes: how the request arrived, the number "
                    "called and when it was added to our records, who took the call, the "
                    "Confirmation of Payee result, and any checks by a second colleague. "
                    "Keep the original request for 6 years.",
                ),
            ),
        ),
    ),
    Document(
        file_stem="card-loss-and-fraud",
        fmt="pdf",
        title="Procedure: Lost and Stolen Cards, Fraud and Disputed Transactions",
        intro=(
            "Procedure owner: Card Services and Fraud Operations. Version 5, effective "
            "1 September 2026. Applies to Harbour debit cards, Harbour Classic credit "
            "cards and Harbour Business cards.",
        ),
        sections=(
            Section(
                "Blocking a lost or stolen card",
                (
                    "1. Block the card immediately; do not wait to finish security if the "
                    "customer is distressed or the card is being used. Customers can also "
                    "freeze the card themselves in the app, and unfreeze it if they find it.",
                    "2. Complete telephone security.",
                    "3. Ask when the customer last used the card and whether the PIN was kept with it.",
                    "4. Go through recent transactions with the customer and mark any they do not recognise.",
                    "5. Order the replacement card.",
                    "The 24-hour lost and stolen line is 0345 600 2400 (from abroad +44 20 7946 0321).",
                ),
            ),
            Section(
                "Replacement cards and emergency cash",
                (
                    "Replacement cards are free and arrive in 3 to 5 business days. The card "
                    "details are available in the app at once, so the customer can add the "
                    "new card to Apple Pay or Google Pay straight away. Do not send a "
                    "replacement to an address changed in the last 10 days; offer branch "
                    "collection. Customers abroad can request emergency cash of up to £500, "
                    "collected at a partner agent with a reference code and photo ID.",
                ),
            ),
            Section(
                "Unauthorised transactions",
                (
                    "If a customer tells us they did not make or authorise a transaction, "
                    "it is an unauthorised transaction under the Payment Services "
                    "Regulations.",
                    "- Refund the amount, with any interest and charges, by the end of the "
                    "next business day after the customer tells us. The customer must "
                    "report within 13 months of the debit date.",
                    "- We may delay the refund only if we have reasonable grounds to suspect "
                    "the customer has acted fraudulently, and then we must refer the case "
                    "to Fraud Operations the same day.",
                    "- The customer may be liable for up to £35 of losses before they told "
                    "us, unless the loss could not have been detected by them. If the "
                    "customer acted with gross negligence, Fraud Operations decides "
                    "liability; front-line staff must not say the customer is liable.",
                ),
            ),
            Section(
                "Disputing a transaction the customer made",
                (
                    "If the customer authorised a payment but has a problem with it (goods "
                    "not received, faulty goods, charged twice, a cancelled subscription "
                    "still being charged), it is a merchant dispute, not fraud.",
                    "1. Ask the customer to contact the merchant first, unless the merchant has stopped trading.",
                    "2. If that fails, raise a chargeback in the Disputes system within 120 "
                    "days of the transaction or the expected delivery date.",
                    "3. Apply a temporary credit while the chargeback is investigated if the "
                    "amount is over £50. Tell the customer it may be reversed if the merchant "
                    "successfully defends the claim.",
                    "4. Chargeback outcomes normally take 30 to 45 days; the merchant has the right to respond.",
                    "For credit card purchases over £100, also consider a section 75 claim "
                    "(see the Credit Card Guide).",
                ),
            ),
            Section(
                "Authorised push payment scams",
                (
                    "If a customer was tricked into sending a Faster Payment or CHAPS "
                    "payment to a fraudster, it is an authorised push payment (APP) scam.",
                    "- Report to the receiving bank within the hour using the Best Practice "
                    "Standards portal, to try to freeze the funds.",
                    "- Claims are covered by the mandatory reimbursement rules for payments "
                    "made on or after 7 October 2024, up to £85,000 per claim, when reported "
                    "within 13 months of the last payment.",
                    "- We do not apply the optional £100 excess. Vulnerable customers are "
                    "reimbursed even if they did not follow our warnings.",
                    "- Decide and reimburse within 5 business days, or up to 35 business "
                    "days if we need more information (the 'stop the clock' rule).",
                    "International payments and payments between the customer's own accounts "
                    "are not covered by the scheme; refer them to Fraud Operations to assess.",
                ),
            ),
            Section(
                "Talking to the customer",
                (
                    "Customers reporting fraud are often upset or embarrassed. Do not blame "
                    "them or ask why they did not spot it. Explain what happens next and "
                    "when. Every fraud contact is also a possible complaint: if the customer "
                    "is unhappy with how we handled it, log a complaint. Signpost Victim "
                    "Support and consider whether the customer has become vulnerable.",
                ),
            ),
        ),
    ),
    Document(
        file_stem="vulnerable-customers",
        fmt="pdf",
        title="Guidance: Supporting Customers in Vulnerable Circumstances",
        intro=(
            "Owner: Customer Outcomes. Version 3, effective 1 March 2026. Based on the "
            "FCA's guidance for the fair treatment of vulnerable customers (FG21/1) and "
            "the Consumer Duty. Applies to all colleagues who speak to or write to "
            "customers.",
            "A vulnerable customer is someone who, because of their personal "
            "circumstances, is especially susceptible to harm, particularly when we do "
            "not act with appropriate care. Around half of UK adults show at least one "
            "sign of vulnerability at any time. Vulnerability can be temporary or "
            "permanent.",
        ),
        sections=(
            Section(
                "The four drivers",
                (
                    "- Health: physical disability, long-term illness, mental health "
                    "conditions, addiction, cognitive decline.",
                    "- Life events: bereavement, relationship breakdown, job loss, caring "
                    "responsibilities, domestic or financial abuse, leaving care.",
                    "- Resilience: low or unstable income, over-indebtedness, low savings.",
                    "- Capability: low literacy or numeracy, poor English, low digital "
                    "skills, little experience of financial products.",
                ),
            ),
            Section(
                "Spotting the signs",
                (
                    "Customers rarely say 'I am vulnerable'. Listen for: confusion or "
                    "repeating questions; mentioning a hospital stay, a diagnosis or a death; "
                    "someone else speaking for the customer or prompting them in the "
                    "background; unusual payments or sudden large withdrawals; missed "
                    "payments after a long good record; distress, or saying they cannot cope.",
                ),
            ),
            Section(
                "Responding to a disclosure: TEXAS",
                (
                    "Use the TEXAS approach when a customer tells you about their circumstances:",
                    "- Thank the customer for telling you.",
                    "- Explain how we will use the information to help them.",
                    "- eXplicit consent: ask whether we may record it.",
                    "- Ask about the impact on how they manage their money and talk to us.",
                    "- Signpost or refer to help inside and outside the bank.",
                    "If the customer mentions a risk to their life, stay on the line, call "
                    "999 if there is immediate danger, and tell your team leader.",
                ),
            ),
            Section(
                "Recording needs with consent",
                (
                    "Record the customer's needs, not their diagnosis: for example 'prefers "
                    "letters in large print', 'needs extra time on calls', 'daughter Jane "
                    "helps with calls under a third-party mandate'. Record only with the "
                    "customer's explicit consent, in the Support Needs field, never in free "
                    "text notes. Review every record with the customer at least every "
                    "12 months, or sooner if their circumstances change.",
                ),
            ),
            Section(
                "Adjustments we can make",
                (
                    "- Longer appointments, or a named contact for up to 3 months.",
                    "- Communication in large print, braille, audio, easy read, or by a preferred channel.",
                    "- Pausing collections and default fees for 30 days while the Financial "
                    "Support Team reviews the customer's situation.",
                    "- Extra checks on unusual payments, on request.",
                    "- Third-party access: a third-party mandate, a Lasting or Enduring "
                    "Power of Attorney, or a deputyship order.",
                ),
            ),
            Section(
                "Specialist support and escalation",
                (
                    "Refer to the Specialist Support Team (internal line 4700) when a "
                    "customer: discloses domestic or financial abuse; appears to be being "
                    "exploited by someone else; has a terminal illness; or is at risk of "
                    "harm. Refer to the Financial Support Team for money worries, and "
                    "signpost free debt advice (MoneyHelper, StepChange, Citizens Advice).",
                    "Suspected financial abuse by a relative or carer is a safeguarding "
                    "matter: do not confront the suspected abuser, and do not tell them a "
                    "referral has been made.",
                ),
            ),
            Section(
                "Outcomes we check",
                (
                    "Quality assurance samples calls and cases every month to check that "
                    "customers with support needs get outcomes as good as other customers: "
                    "complaint rates, fees charged, arrears, and time to resolve. Results go "
                    "to the Customer Outcomes Committee.",
                ),
            ),
        ),
    ),
    Document(
        file_stem="bereavement-procedure",
        fmt="docx",
        title="Procedure: Bereavement and Deceased Customers",
        intro=(
            "Procedure owner: Bereavement Support Team. Version 4, effective 1 June 2026. "
            "Applies to personal, wealth and business accounts. Our Bereavement Support "
            "Team is on 0345 600 2455, Monday to Friday 8am to 6pm.",
        ),
        sections=(
            Section(
                "First contact",
                (
                    "Offer condolences in your own words and follow the caller's choice of "
                    "words. Explain that you will make one record of the death that every "
                    "part of the bank will use, so they will not have to tell us again.",
                    "Do not ask for documents you do not need, and do not transfer the "
                    "caller more than once. If the caller is upset, offer a call back at a "
                    "time that suits them.",
                ),
            ),
            Section(
                "Information to collect",
                (
                    "- The deceased customer's full name, date of birth, address and date of death.",
                    "- The caller's name, relationship and contact details.",
                    "- Whether there is a will, and the name of the executor or administrator.",
                    "- Whether the caller knows of all the accounts (check every product, "
                    "including joint accounts, cards, loans, mortgages and investments).",
                    "- Any urgent payments: funeral costs, rent, care home fees.",
                ),
            ),
            Section(
                "Documents we need",
                (
                    "- The death certificate: original, certified copy, or the "
                    "'Tell Us Once' reference. We copy originals and return them the same "
                    "day by tracked post.",
                    "- Identity of the executor or administrator, verified as for a new customer.",
                    "- For estates over £50,000 held with us in sole names: the grant of "
                    "probate or letters of administration (confirmation in Scotland).",
                    "- Our Bereavement Instruction Form, signed by all executors.",
                ),
            ),
            Section(
                "Joint accounts",
                (
                    "Money in a joint account passes to the surviving holder. Once we see "
                    "the death certificate, convert the account to the survivor's sole name "
                    "within 2 business days. The survivor keeps full access throughout; do "
                    "not freeze a joint account. Cancel the deceased's cards, and ask the "
                    "survivor whether any direct debits in the deceased's name should stop. "
                    "Joint mortgages and joint loans: the survivor remains liable; refer to "
                    "Mortgage Servicing and offer the Financial Support Team.",
                ),
            ),
            Section(
                "Sole accounts",
                (
                    "Sole accounts are frozen when we are told of the death; interest "
                    "continues to be paid on savings. Standing orders and direct debits are "
                    "stopped, except for the funeral director's invoice.",
                    "- Funeral costs: we pay the funeral director directly from the sole "
                    "account on receipt of the invoice, before probate, up to the account "
                    "balance.",
                    "- Small estates: if the total of all balances in sole names with us is "
                    "£50,000 or less, we release the funds without a grant of probate, on "
                    "the Bereavement Instruction Form and the executor's identity.",
                    "- Above £50,000, we release funds on sight of the grant.",
                ),
            ),
            Section(
                "Timescales",
                (
                    "- Acknowledge the notification in writing within 2 business days, with "
                    "a list of every account held and its balance at the date of death.",
                    "- Release funds within 10 business days of receiving complete documents.",
                    "- Send a closing statement for each account once funds are paid.",
                    "If we miss a timescale, tell the executor why and log a complaint if they are unhappy.",
                ),
            ),
            Section(
                "Borrowing and investments",
                (
                    "- Credit cards and unsecured loans in sole names: stop interest, fees "
                    "and collections from the date of death. The debt is paid from the "
                    "estate; no one else is liable unless they were a joint borrower or "
                    "guarantor. Never suggest otherwise.",
                    "- Mortgages in a sole name: no arrears action for 6 months after the "
                    "death while the estate is dealt with.",
                    "- ISAs become a continuing account of a deceased ISA investor; they "
                    "stay free of income and capital gains tax until the estate is "
                    "completed, or up to 3 years after the death. A surviving spouse or "
                    "civil partner receives an additional permitted subscription equal to "
                    "the ISA's value.",
                    "- SIPPs: the scheme administrator decides who receives the benefits, "
                    "guided by the customer's expression of wishes. Refer to the Pensions "
                    "Team.",
                ),
            ),
            Section(
                "Looking after the bereaved",
                (
                    "Mark the deceased's record so that no marketing or collections letters "
                    "are sent. Signpost Cruse Bereavement Support and the government's "
                    "'What to do after someone dies' guidance. A bereaved customer may be "
                    "vulnerable; follow the Vulnerable Customers guidance.",
                ),
            ),
        ),
    ),
    Document(
        file_stem="account-closure",
        fmt="docx",
        title="Procedure: Closing Accounts",
        intro=(
            "Procedure owner: Customer Operations. Version 2, effective 1 May 2026. "
            "Covers closures requested by customers and closures started by the bank. "
            "For the accounts of a customer who has died, use the Bereavement Procedure "
            "instead.",
        ),
        sections=(
            Section(
                "Customer-requested closure",
                (
                    "Customers can close current and savings accounts in the app, by phone "
                    "after full security, in branch, or by signed letter. Joint accounts need "
                    "instructions from all holders. We do not charge for closing an account, "
                    "and we do not ask the customer to justify the decision, though you may "
                    "ask if there is anything we could have done better.",
                ),
            ),
            Section(
                "Checks before closing",
                (
                    "1. Check the balance is not overdrawn. An overdrawn account cannot be "
                    "closed until it is repaid; offer a repayment plan if needed.",
                    "2. Check for pending card payments, cheques and direct debits. Tell the "
                    "customer that card payments made in the last 10 days may still arrive.",
                    "3. List standing orders and direct debits that will stop. If the "
                    "customer is switching to another bank, recommend the Current Account "
                    "Switch Service, which moves payments and guarantees a 7 business day "
                    "switch.",
                    "4. Ask where the closing balance should go. It can only be paid to an "
                    "account in the customer's own name.",
                ),
            ),
            Section(
                "Paying the closing balance",
                (
                    "The closing balance, with interest to the date of closure, is paid by "
                    "Faster Payment the same business day, or by cheque if the customer has "
                    "no other account. If the destination account is new to us, follow the "
                    "Payee and Bank Detail Change Procedure first. A closing statement is sent "
                    "within 5 business days.",
                ),
            ),
            Section(
                "Accounts that cannot be closed straight away",
                (
                    "- Accounts with a legal restriction, court order or HMRC direct recovery order.",
                    "- Accounts under investigation by Fraud Operations or Financial Crime "
                    "Compliance. Do not tell the customer the reason; say the request has "
                    "been passed to the team that deals with it.",
                    "- Accounts linked to a mortgage repayment, loan repayment or business "
                    "facility, until a new repayment method is set up.",
                    "- ISAs and SIPPs: closing an ISA loses its tax-free status unless the "
                    "money is transferred to another ISA provider; SIPPs cannot be closed, "
                    "only transferred or drawn in line with pension rules.",
                ),
            ),
            Section(
                "Closures started by the bank",
                (
                    "We may close a personal or small business payment account by giving at "
                    "least 2 months' written notice, with a reason unless the law prevents "
                    "it. We may close immediately, with no notice, only for serious breaches "
                    "such as fraud, threatening behaviour towards staff, or where the law "
                    "requires it. Every bank-initiated closure is approved by the Account "
                    "Closure Panel and the customer is told how to complain.",
                ),
            ),
            Section(
                "Business account closures",
                (
                    "Business closures need an instruction signed in line with the account "
                    "mandate (for a limited company, usually a board resolution or a "
                    "director's signature as set out in the mandate). Any business overdraft "
                    "or loan must be repaid or refinanced first. Dissolved companies' "
                    "balances pass to the Crown as bona vacantia; refer these to Business "
                    "Operations.",
                ),
            ),
            Section(
                "Records",
                (
                    "Record the channel, the checks made, where the balance was paid and the "
                    "reason given (if any). Closed-account records are kept for 6 years "
                    "after closure.",
                ),
            ),
        ),
    ),
)


def _is_numbered(text: str) -> bool:
    head, sep, _ = text.partition(". ")
    return bool(sep) and head.isdigit()


def build_pdf(doc: Document, path: Path) -> None:
    """Write one document as a PDF with bold, larger headings (fpdf2 core fonts)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_title(doc.title)
    pdf.set_author(AUTHOR)
    pdf.set_creator(AUTHOR)
    pdf.set_producer("clientloop demo data")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def para(text: str) -> None:
        pdf.set_font("Helvetica", size=10.5)
        if text.startswith("- "):
            pdf.set_x(pdf.l_margin + 4)
            pdf.multi_cell(width - 4, 5.5, "- " + text[2:], new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        elif _is_numbered(text):
            pdf.set_x(pdf.l_margin + 4)
            pdf.multi_cell(width - 4, 5.5, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        else:
            pdf.multi_cell(width, 5.5, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2.5)

    pdf.set_font("Helvetica", style="B", size=17)
    pdf.multi_cell(width, 8, doc.title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for text in doc.intro:
        para(text)
    for section in doc.sections:
        pdf.ln(2)
        pdf.set_font("Helvetica", style="B", size=13)
        pdf.multi_cell(width, 7, section.heading, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)
        for text in section.paragraphs:
            para(text)
    pdf.output(str(path))


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed entry timestamps so the DOCX bytes are reproducible."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def build_docx(doc: Document, path: Path) -> None:
    """Write one document as DOCX with real Heading 1 / Heading 2 styles."""
    import docx

    d = docx.Document()
    props = d.core_properties
    props.title = doc.title
    props.author = AUTHOR
    props.last_modified_by = AUTHOR
    props.created = FIXED_DATE.replace(tzinfo=None)
    props.modified = FIXED_DATE.replace(tzinfo=None)
    props.revision = 1

    def para(text: str) -> None:
        if text.startswith("- "):
            d.add_paragraph(text[2:], style="List Bullet")
        elif _is_numbered(text):
            d.add_paragraph(text.partition(". ")[2], style="List Number")
        else:
            d.add_paragraph(text)

    d.add_heading(doc.title, level=1)
    for text in doc.intro:
        para(text)
    for section in doc.sections:
        d.add_heading(section.heading, level=2)
        for text in section.paragraphs:
            para(text)
    buf = io.BytesIO()
    d.save(buf)
    path.write_bytes(_normalise_zip(buf.getvalue()))


def headings(doc: Document) -> list[str]:
    """Return the document's headings (title first), as they appear in the output."""
    return [doc.title, *(s.heading for s in doc.sections)]


def main() -> None:
    """Build every binary document into kb/."""
    KB_DIR.mkdir(parents=True, exist_ok=True)
    for doc in DOCUMENTS:
        path = KB_DIR / f"{doc.file_stem}.{doc.fmt}"
        if doc.fmt == "pdf":
            build_pdf(doc, path)
        else:
            build_docx(doc, path)
        words = sum(len(p.split()) for s in doc.sections for p in s.paragraphs)
        words += sum(len(p.split()) for p in doc.intro)
        sys.stdout.write(f"wrote {path.name} ({words} words, {len(doc.sections)} sections)\n")


if __name__ == "__main__":
    main()

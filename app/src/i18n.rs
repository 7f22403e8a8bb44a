//! Every string the UI shows, in Norwegian bokmål (the default) and English.
//!
//! One exhaustive `match` per locale instead of lookup files: a message missing in one language
//! is a compile error, and nothing has to be parsed or shipped at run time. The locale comes
//! from the `lang` cookie on the server and from `<html lang>` in the browser, so the hydrated
//! page starts in the language it was rendered in.

use crate::domain::access::Permission;
use crate::domain::consent::{Channel, ConsentMark, ConsentSource, LegalBasis};
use crate::domain::FieldError;
use crate::error::ApiError;
use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    Nb,
    En,
}

impl Locale {
    pub fn code(self) -> &'static str {
        match self {
            Locale::Nb => "nb",
            Locale::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Self {
        match code {
            "en" => Locale::En,
            _ => Locale::Nb,
        }
    }
}

pub const LANG_COOKIE: &str = "lang";

macro_rules! messages {
    ($($key:ident => $nb:literal, $en:literal;)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Msg { $($key),* }

        impl Msg {
            pub fn text(self, locale: Locale) -> &'static str {
                match (self, locale) {
                    $((Msg::$key, Locale::Nb) => $nb, (Msg::$key, Locale::En) => $en,)*
                }
            }
        }
    };
}

messages! {
    AppName => "Samtykke", "Samtykke";
    LogIn => "Logg inn", "Log in";
    LogOut => "Logg ut", "Log out";
    Email => "E-post", "E-mail";
    Password => "Passord", "Password";
    WrongCredentials => "Feil e-post eller passord.", "Wrong e-mail or password.";
    ChooseTenant => "Velg klient", "Choose client";
    Tenant => "Klient", "Client";
    NoTenants => "Du har ikke tilgang til noen klient.", "You have no access to any client.";
    MainMenuButton => "Meny (Alt+H)", "Menu (Alt+H)";
    CustomerSearch => "Kundesøk", "Customer search";
    SearchLabel => "Søk etter kunde", "Search for a customer";
    SearchHint => "Kundenummer, navn, firmanavn, org.nr., e-post eller telefon", "Customer number, name, company, org no, e-mail or phone";
    NoHits => "Ingen kunder funnet.", "No customers found.";
    PreviousPage => "Forrige side", "Previous page";
    NextPage => "Neste side", "Next page";
    PageN => "Side", "Page";
    NewCustomer => "Ny kunde", "New customer";
    CustomerCard => "Kundekort", "Customer card";
    CustomerNumber => "Kundenummer", "Customer number";
    CustomerKind => "Kundetype", "Customer type";
    Private => "Privat", "Private";
    Business => "Bedrift", "Business";
    FirstName => "Fornavn", "First name";
    LastName => "Etternavn", "Last name";
    CompanyName => "Firmanavn", "Company name";
    OrgNo => "Organisasjonsnummer", "Organisation number";
    InvoiceAddress => "Fakturaadresse", "Invoice address";
    AddressLine => "Adresse", "Address";
    PostalCode => "Postnummer", "Postal code";
    City => "Poststed", "City";
    Phone => "Telefon", "Phone";
    Tags => "Stikkord (kommaseparert)", "Tags (comma separated)";
    ContactPersons => "Kontaktpersoner", "Contact persons";
    CustomerDetails => "Kundeopplysninger", "Customer details";
    Name => "Navn", "Name";
    Position => "Stilling", "Position";
    NoContactPersons => "Ingen kontaktpersoner.", "No contact persons.";
    NewContactPerson => "Ny kontaktperson", "New contact person";
    EditContactPerson => "Rediger kontaktperson", "Edit contact person";
    Edit => "Rediger", "Edit";
    Save => "Lagre", "Save";
    SaveShortcut => "Lagre (Ctrl+S)", "Save (Ctrl+S)";
    Cancel => "Avbryt", "Cancel";
    Close => "Lukk", "Close";
    Saved => "Lagret.", "Saved.";
    Saving => "Lagrer …", "Saving …";
    Loading => "Laster …", "Loading …";
    CardMenu => "Kundemeny", "Customer menu";
    FixErrors => "Rett feilene som er merket.", "Fix the marked errors.";
    Language => "Språk", "Language";
    Actions => "Handlinger", "Actions";
    Consent => "Samtykke", "Consent";
    ConsentCommunication => "Samtykke kommunikasjon", "Consent to communication";
    ConsentGiven => "Gitt", "Given";
    ConsentWithdrawn => "Trukket", "Withdrawn";
    ConsentNeverAsked => "Ikke spurt", "Never asked";
    ConsentSaved => "Samtykkene er lagret.", "The consents are saved.";
    ConsentConflict => "Noen andre har endret samtykkene siden du åpnet vinduet. Endringene dine er ikke lagret; last inn på nytt for å se gjeldende samtykker.", "Someone else changed the consents since you opened this window. Your changes were not saved; reload to see the current consents.";
    Reload => "Last inn på nytt", "Reload";
    NoUnsavedChanges => "Ingen endringer.", "No changes.";
    DiscardQuestion => "Du har endringer som ikke er lagret. Vil du forkaste dem?", "You have unsaved changes. Discard them?";
    Discard => "Forkast endringer", "Discard changes";
    KeepEditing => "Fortsett å redigere", "Keep editing";
    NoPurposes => "Ingen aktive samtykkeformål. En administrator legger dem inn under Klientinnstillinger.", "No active consent purposes. An administrator adds them under Client settings.";
    ConsentGridCaption => "Samtykke per kontaktperson og formål. Kryss av for samtykker som er gitt.", "Consent per contact person and purpose. Tick the consents that are given.";
    ConsentHistory => "Samtykkehistorikk", "Consent history";
    History => "Historikk", "History";
    NoConsentEvents => "Ingen samtykkeendringer er registrert.", "No consent changes are recorded.";
    When => "Tidspunkt", "Time";
    Purpose => "Formål", "Purpose";
    Change => "Endring", "Change";
    ChangedBy => "Endret av", "Changed by";
    Source => "Kilde", "Source";
    IpAddress => "IP-adresse", "IP address";
    TheCustomer => "Kunden selv", "The customer";
    SourceStaffCard => "Kundekort", "Customer card";
    SourceMinSide => "Min Side", "Min Side";
    SourcePaperForm => "Papirskjema", "Paper form";
    SourceImport => "Import", "Import";
    ClientSettings => "Klientinnstillinger", "Client settings";
    ConsentPurposes => "Samtykkeformål", "Consent purposes";
    PurposeCode => "Kode", "Code";
    LabelNb => "Navn (bokmål)", "Name (Norwegian)";
    LabelEn => "Navn (engelsk)", "Name (English)";
    Wording => "Tekst personen samtykker til", "Wording the person agrees to";
    ChannelLabel => "Kanal", "Channel";
    LegalBasisLabel => "Rettslig grunnlag", "Legal basis";
    Active => "Aktiv", "Active";
    Inactive => "Ikke aktiv", "Inactive";
    NewPurpose => "Nytt formål", "New purpose";
    WordingVersion => "Tekstversjon", "Wording version";
    ChannelEmail => "E-post", "E-mail";
    ChannelSms => "SMS", "SMS";
    ChannelPhone => "Telefon", "Phone";
    ChannelPost => "Post", "Post";
    ChannelNone => "Ingen kanal", "No channel";
    BasisConsent => "Samtykke", "Consent";
    BasisCustomerRelationship => "Eksisterende kundeforhold (markedsføringsloven § 15)", "Existing customer relationship (Marketing Control Act § 15)";
    BasisContract => "Avtale", "Contract";
    BasisLegalObligation => "Rettslig forpliktelse", "Legal obligation";
    BasisLegitimateInterest => "Berettiget interesse", "Legitimate interest";
    AdminsOnly => "Du kan se klientinnstillingene, men å endre dem krever rettigheten «Klientinnstillinger».", "You can see the client settings, but changing them needs the right “Client settings”.";
    ConsentEventsExport => "Samtykkehendelser", "Consent events";
    ConsentEventsExportHint => "Alle samtykkeendringer i perioden som CSV, som dokumentasjon overfor Datatilsynet. Tomme felt betyr ingen grense.", "Every consent change in the period as CSV, as documentation for the data protection authority. Empty fields mean no limit.";
    FromDate => "Fra dato", "From date";
    ToDate => "Til dato", "To date";
    AllPurposes => "Alle formål", "All purposes";
    DownloadCsv => "Last ned CSV", "Download CSV";
    Reports => "Rapporter", "Reports";
    PrivacyPolicyUrl => "Lenke til personvernerklæringen", "Link to the privacy policy";
    Controller => "Behandlingsansvarlig", "Controller";
    PrivacyEmail => "E-post for personvernspørsmål", "E-mail for privacy questions";
    Recipients => "Virksomheter vi utveksler data med", "Companies we exchange data with";
    RecipientsHint => "Skriv navnet og trykk Enter for å legge til. Hold musen over et navn, eller gå til det med Tab, og klikk krysset for å fjerne det. Husk å lagre (Ctrl+S). Det bør finnes en databehandleravtale med hver av dem.", "Type the name and press Enter to add it. Hover over a name, or Tab to it, and click the cross to remove it. Remember to save (Ctrl+S). There should be a data processing agreement with each of them.";
    NewRecipient => "Ny virksomhet", "New company";
    NoRecipients => "Ingen virksomheter er lagt inn.", "No companies are listed.";
    Remove => "Fjern", "Remove";
    Details => "Detaljer", "Details";
    RecipientRoleLabel => "Rolle", "Role";
    RoleNotSet => "Ikke angitt", "Not set";
    RoleProcessor => "Databehandler", "Processor";
    RoleSubProcessor => "Underdatabehandler", "Sub-processor";
    RoleIndependentController => "Selvstendig behandlingsansvarlig", "Independent controller";
    Country => "Land", "Country";
    DpaDate => "Dato for databehandleravtale", "Date of the data processing agreement";
    LeaveUnsaved => "Du har endringer som ikke er lagret. Vil du forlate siden likevel?", "You have unsaved changes. Leave the page anyway?";
    NotPublished => "Ingen versjon er publisert ennå.", "No version is published yet.";
    ConsentFormReport => "Samtykkeskjema", "Consent form";
    ConsentDeclaration => "Samtykkeerklæring", "Consent declaration";
    Print => "Skriv ut", "Print";
    DownloadPdf => "Last ned PDF", "Download PDF";
    PrivacyPolicy => "Personvernerklæring", "Privacy policy";
    PolicyLinkLead => "Slik behandler vi personopplysningene dine:", "How we process your personal data:";
    ConsentFormLead => "Kryss av for det du samtykker til. Du kan når som helst trekke et samtykke, like enkelt som du ga det.", "Tick what you consent to. You can withdraw a consent at any time, as easily as you gave it.";
    Signature => "Signatur", "Signature";
    Place => "Sted og dato", "Place and date";
    AccessControl => "Tilgangsstyring", "Access control";
    AccessGroups => "Tilgangsgrupper", "Access groups";
    AccessGroupsLead => "Gi hver gruppe rettighetene den trenger, og legg til medlemmer. Endringer gjelder fra medlemmets neste klikk.", "Give each group the rights it needs and add members. Changes apply from the member's next click.";
    NewGroup => "Ny gruppe", "New group";
    NewGroupName => "Navn på ny gruppe", "Name of the new group";
    Create => "Opprett", "Create";
    NoGroups => "Ingen tilgangsgrupper ennå.", "No access groups yet.";
    GroupName => "Gruppenavn", "Group name";
    RightsLabel => "Rettigheter", "Rights";
    Members => "Medlemmer", "Members";
    DeleteGroup => "Slett gruppe", "Delete group";
    ConfirmDeleteGroup => "Slette gruppen? Medlemmene mister rettighetene den gir.", "Delete the group? Its members lose the rights it gives.";
    Delete => "Slett", "Delete";
    Administrators => "Administratorer", "Administrators";
    AdministratorsLead => "Administratorer har alle rettigheter i klienten, uansett grupper. Bare en administrator kan merke andre som administrator.", "Administrators hold every right in the client, whatever their groups. Only an administrator can mark others as administrator.";
    Administrator => "Administrator", "Administrator";
    ErrLastAdministrator => "Klienten må ha minst én administrator.", "The client must keep at least one administrator.";
    ErrWrongCode => "Koden stemmer ikke, eller den er brukt før.", "The code is wrong, or it was used before.";
    MfaTitle => "Tofaktorautentisering", "Two-factor authentication";
    MfaMenu => "Tofaktor", "Two-factor";
    MfaCodeHelp => "Skriv koden fra autentiseringsappen, eller en av gjenopprettingskodene dine.", "Enter the code from your authenticator app, or one of your recovery codes.";
    MfaCode => "Kode", "Code";
    MfaSetUp => "Sett opp tofaktor", "Set up two-factor";
    MfaRequiredHelp => "Klienten krever tofaktorautentisering for alle ansatte. Sett det opp for å fortsette.", "The client requires two-factor authentication for all staff. Set it up to continue.";
    MfaIsOn => "Tofaktorautentisering er på.", "Two-factor authentication is on.";
    MfaIsOff => "Tofaktorautentisering er ikke satt opp.", "Two-factor authentication is not set up.";
    MfaRecoveryCodesLeft => "Ubrukte gjenopprettingskoder", "Unused recovery codes";
    MfaScan => "Skann QR-koden med en autentiseringsapp (for eksempel Microsoft eller Google Authenticator).", "Scan the QR code with an authenticator app (for example Microsoft or Google Authenticator).";
    MfaQr => "QR-kode for autentiseringsappen", "QR code for the authenticator app";
    MfaKeyByHand => "Eller skriv inn nøkkelen:", "Or type in the key:";
    MfaFirstCode => "Kode fra appen", "Code from the app";
    MfaActivate => "Aktiver", "Activate";
    MfaEnrolledNow => "Tofaktorautentisering er slått på.", "Two-factor authentication is now on.";
    MfaRecoveryHelp => "Skriv ut eller lagre disse gjenopprettingskodene. Hver kan brukes én gang hvis du mister telefonen. De vises bare nå.", "Print or store these recovery codes. Each works once if you lose your phone. They are shown only now.";
    Continue => "Fortsett", "Continue";
    MfaColumn => "Tofaktor", "Two-factor";
    MfaResetButton => "Nullstill tofaktor", "Reset two-factor";
    MfaRequire => "Krev tofaktor for alle ansatte", "Require two-factor for all staff";
    AccessLog => "Innsynslogg", "Access log";
    ErrMismatch => "Stemmer ikke med kundenummeret.", "Does not match the customer number.";
    Invoices => "Fakturaer", "Invoices";
    NoInvoices => "Ingen fakturaer.", "No invoices.";
    InvoiceNumber => "Fakturanr.", "Invoice no.";
    InvoiceDate => "Fakturadato", "Invoice date";
    DueDate => "Forfall", "Due date";
    Amount => "Beløp", "Amount";
    OpenAmount => "Åpent", "Open";
    CreditNote => "Kreditnota", "Credit note";
    Invoice => "Faktura", "Invoice";
    InvoiceCopy => "Fakturakopi", "Invoice copy";
    Buyer => "Kjøper", "Buyer";
    Seller => "Selger", "Seller";
    Quantity => "Antall", "Quantity";
    UnitPrice => "Pris", "Price";
    Vat => "MVA", "VAT";
    Net => "Netto", "Net";
    Total => "Å betale", "To pay";
    Description => "Beskrivelse", "Description";
    Anonymise => "Anonymiser", "Anonymise";
    AnonymiseTitle => "Anonymiser kunde", "Anonymise customer";
    AnonymiseLead => "Navn, adresser, e-post, telefon og annet som knytter kunden til en person fjernes for godt. Kunden, ordrene og fakturaene blir stående, uten å kunne knyttes til noen. Det kan ikke angres.", "Names, addresses, e-mail, phone and everything else that ties the customer to a person are removed for good. The customer, orders and invoices stay, but can no longer be tied to anyone. It cannot be undone.";
    AnonymiseFields => "Feltene som tømmes", "The fields that are emptied";
    AnonymiseContacts => "Kontaktpersonene som anonymiseres", "The contact persons that are anonymised";
    AnonymiseBalance => "Saldo i reskontro", "Balance in the ledger";
    AnonymiseInvoices => "Fakturaer som deretter skrives ut med «Anonym»", "Invoices that then print «Anonym»";
    AnonymiseMentions => "Mulige omtaler i fritekst", "Possible mentions in free text";
    AnonymiseMentionsHelp => "Systemet kan ikke vite om dette er samme person. Kryss av det som skal erstattes med «[anonymisert]».", "The system cannot know whether this is the same person. Tick what should be replaced by «[anonymisert]».";
    NoMentions => "Ingen omtaler funnet.", "No mentions found.";
    AnonymiseConfirm => "Skriv kundenummeret for å bekrefte", "Type the customer number to confirm";
    AnonymiseButton => "Anonymiser kunden", "Anonymise the customer";
    AnonymisedDone => "Kunden er anonymisert.", "The customer has been anonymised.";
    AlreadyAnonymised => "Kunden er allerede anonymisert.", "The customer is already anonymised.";
    SourceNote => "Notat", "Note";
    SourceTask => "Oppgave", "Task";
    SourceOrder => "Ordre", "Order";
    SourceOrderLine => "Ordrelinje", "Order line";
    SourceInvoiceLine => "Fakturalinje", "Invoice line";
    AccessLogLead => "Hvem gjorde hva, når og hvorfra: innlogginger, kundekort som er åpnet, hemmeligheter som er vist, endringer og eksporter.", "Who did what, when and from where: logins, customer cards opened, secrets revealed, changes and exports.";
    LogUser => "Bruker", "User";
    LogCustomer => "Kundenummer", "Customer number";
    LogAction => "Handling", "Action";
    LogWhen => "Tidspunkt", "Time";
    LogWho => "Hvem", "Who";
    LogObject => "Detaljer", "Details";
    LogIp => "IP-adresse", "IP address";
    AllUsers => "Alle brukere", "All users";
    AllActions => "Alle handlinger", "All actions";
    Filter => "Filtrer", "Filter";
    ExportCsv => "Eksporter CSV", "Export CSV";
    NoLogEntries => "Ingen hendelser passer filteret.", "No entries match the filter.";
    ShowMore => "Vis flere", "Show more";
    CustomerOnMinSide => "(kunde, Min Side)", "(customer, Min Side)";
    Retention => "Oppbevaringstid (måneder)", "Retention (months)";
    RetentionHelp => "Tomt felt: loggen beholdes. Eldre hendelser slettes av kommandoen purge-access-log; kjeden kan fortsatt kontrolleres.", "Empty: the log is kept. Older entries are removed by the purge-access-log command; the chain can still be verified.";
    SaveRetention => "Lagre oppbevaringstid", "Save retention";
    RightCustomerRead => "Kunde – se", "Customers – view";
    RightCustomerWrite => "Kunde – endre", "Customers – change";
    RightConsentRead => "Samtykke – se", "Consent – view";
    RightConsentWrite => "Samtykke – endre", "Consent – change";
    RightAnonymise => "Anonymisere", "Anonymise";
    RightSecrets => "Hemmeligheter", "Secrets";
    RightReports => "Rapporter", "Reports";
    RightClientSettings => "Klientinnstillinger", "Client settings";
    RightAccessControl => "Tilgangsstyring", "Access control";
    RightAccessLog => "Innsynslogg", "Access log";
    RightBookkeeping => "Regnskap (fakturaarkiv)", "Bookkeeping (invoice archive)";
    InvoiceArchive => "Fakturaarkiv", "Invoice archive";
    InvoiceArchiveLead => "Fakturaer slik de ble utstedt til kunder som senere er anonymisert. Bokføringsloven krever at de oppbevares i fem år etter regnskapsårets slutt; deretter sletter kommandoen purge-invoice-archive dem.", "Invoices as issued to customers who were anonymised since. The Norwegian Bookkeeping Act requires keeping them for five years after the end of the financial year; after that the purge-invoice-archive command removes them.";
    NoArchivedInvoices => "Arkivet er tomt.", "The archive is empty.";
    ArchivedOn => "Arkivert", "Archived";
    RetainUntil => "Oppbevares til", "Retained until";
    AsIssued => "Som utstedt", "As issued";
    SeeLedger => "Se reskontro (fakturaer og åpne beløp)", "See the ledger (invoices and open amounts)";
    RetentionRule => "Automatisk anonymisering", "Automatic anonymisation";
    RetentionRuleLead => "Kunder uten aktivitet i så mange år, og med saldo 0 i reskontro, anonymiseres: ingen endring på kundekortet eller en kontaktperson, ingen ordre, faktura, innbetaling, samtykkeendring eller notat. Fritekst som nevner kunden, anonymiseres ikke automatisk. Kommandoen anonymise-inactive kjører regelen for alle klienter.", "Customers with no activity for this many years and a zero balance are anonymised: no change to the customer card or a contact person, no order, invoice, payment, consent change or note. Free text that names the customer is not anonymised automatically. The anonymise-inactive command runs the rule for every client.";
    InactivityYears => "Anonymiser kunder uten aktivitet i (antall år, tomt: aldri)", "Anonymise customers with no activity for (years, empty: never)";
    SaveRule => "Lagre regel", "Save rule";
    RetentionReach => "Hvem regelen gjelder i dag", "Whom the rule reaches today";
    NoRule => "Ingen regel: ingen kunder anonymiseres automatisk.", "No rule: no customer is anonymised automatically.";
    RunRule => "Anonymiser nå", "Anonymise now";
    RunRuleConfirm => "Kundene over anonymiseres nå. Det kan ikke angres.", "The customers above are anonymised now. This cannot be undone.";
    Confirm => "Bekreft", "Confirm";
    NoSecrets => "Ingen hemmeligheter er lagt inn for denne kunden.", "No secrets are stored for this customer.";
    Reveal => "Vis", "Show";
    Hide => "Skjul", "Hide";
    SecretNotForYou => "Du har ikke tilgang til å se denne.", "You do not have access to see this one.";
    VisibleTo => "Synlig for:", "Visible to:";
    AdministratorsOnlySecret => "Synlig bare for administratorer.", "Visible to administrators only.";
    NewSecret => "Ny hemmelighet", "New secret";
    EditSecret => "Endre hemmelighet", "Change secret";
    SecretKeepValue => "La verdien stå tom for å beholde den som er lagret.", "Leave the value empty to keep the stored one.";
    SecretLabel => "Betegnelse", "Label";
    SecretValue => "Verdi", "Value";
    SecretGroupsHint => "Medlemmer av gruppene du krysser av, med rettigheten Hemmeligheter, kan se verdien. Administratorer kan alltid.", "Members of the groups you tick, with the Secrets right, can see the value. Administrators always can.";
    ErrNotLoggedIn => "Du er ikke logget inn.", "You are not logged in.";
    ErrNoTenant => "Velg en klient først.", "Choose a client first.";
    ErrForbidden => "Du har ikke tilgang til dette.", "You do not have access to this.";
    ErrNotFound => "Fant ikke det du ba om.", "Not found.";
    ErrConflict => "Noen andre har endret dette i mellomtiden. Last siden på nytt for å se endringen; det du skrev er ikke lagret.", "Someone else changed this meanwhile. Reload to see their change; what you typed was not saved.";
    ErrCrossOrigin => "Forespørselen kom fra en annen side og ble avvist.", "The request came from another site and was refused.";
    ErrInternal => "Noe gikk galt hos oss. Prøv igjen.", "Something went wrong on our side. Try again.";
    ErrTransport => "Fikk ikke kontakt med serveren. Prøv igjen.", "Could not reach the server. Try again.";
    ErrRequired => "Må fylles ut.", "Required.";
    ErrInvalidEmail => "Ugyldig e-postadresse.", "Not a valid e-mail address.";
    ErrInvalidPhone => "Ugyldig telefonnummer (8 siffer, eller + og landskode).", "Not a valid phone number (8 digits, or + and country code).";
    ErrInvalidOrgNo => "Ugyldig organisasjonsnummer (9 siffer med gyldig kontrollsiffer).", "Not a valid organisation number (9 digits with a valid check digit).";
    ErrInvalidCustomerNumber => "Kundenummer kan ha bokstaver, siffer og bindestrek.", "Customer numbers may have letters, digits and hyphens.";
    ErrInvalidPostalCode => "Postnummer er fire siffer.", "Postal codes are four digits.";
    ErrTaken => "Er allerede i bruk.", "Already in use.";
    ErrInvalidDate => "Skriv datoen som ÅÅÅÅ-MM-DD.", "Write the date as YYYY-MM-DD.";
    ErrInvalidUrl => "Skriv en full adresse som begynner med https:// eller http://.", "Write a full address starting with https:// or http://.";
    ErrInvalidCode => "Bruk små bokstaver a–z, siffer, - og _.", "Use lower-case letters a–z, digits, - and _.";
    MinSide => "Min Side", "Min Side";
    MinSideLogIn => "Logg inn på Min Side", "Log in to Min Side";
    ForgotPassword => "Glemt passord?", "Forgot your password?";
    ForgotPasswordHint => "Skriv e-postadressen du logger inn med. Har den tilgang til Min Side, sender vi en lenke der du velger nytt passord.", "Enter the e-mail address you log in with. If it has access to Min Side, we send a link where you choose a new password.";
    ResetLinkSent => "Hvis adressen har tilgang til Min Side, er en lenke sendt dit. Den virker i én time.", "If the address has access to Min Side, a link has been sent to it. It works for one hour.";
    SendLink => "Send lenke", "Send link";
    BackToLogin => "Tilbake til innlogging", "Back to log in";
    ChoosePassword => "Velg passord", "Choose a password";
    NewPassword => "Nytt passord", "New password";
    SavePasswordAndLogIn => "Lagre passord og logg inn", "Save password and log in";
    LinkInvalid => "Lenken er brukt, utløpt eller ugyldig. Be om en ny under «Glemt passord?» eller fra firmaet som inviterte deg.", "The link has been used, has expired or is not valid. Ask for a new one under “Forgot your password?” or from the company that invited you.";
    MinSideLoggedOut => "Du er ikke logget inn. Bruk lenken i e-posten du fikk, eller innloggingssiden til firmaet.", "You are not logged in. Use the link in the e-mail you received, or the company's login page.";
    ConsentGivenNow => "Samtykket er gitt.", "The consent is given.";
    ConsentWithdrawnNow => "Samtykket er trukket.", "The consent is withdrawn.";
    MyConsentConflict => "Samtykkene dine ble endret et annet sted i mellomtiden. Se over dem og prøv igjen.", "Your consents were changed elsewhere meanwhile. Look them over and try again.";
    LoggedInAs => "Logget inn som", "Logged in as";
    MyConsents => "Mine samtykker", "My consents";
    MyConsentsLead => "Slå på det du samtykker til. Du kan trekke et samtykke når som helst, like enkelt som du ga det. Endringen lagres med en gang.", "Switch on what you consent to. You can withdraw a consent at any time, as easily as you gave it. The change is saved at once.";
    MyData => "Mine data", "My data";
    MyDataLead => "Alt vi har registrert om deg: kundeopplysninger, kontaktopplysninger, samtykker med historikk og innlogginger på Min Side.", "Everything we hold about you: customer details, contact details, consents with their history and your logins to Min Side.";
    ShowMyData => "Vis mine data", "Show my data";
    DownloadMyData => "Last ned mine data (JSON)", "Download my data (JSON)";
    LastChanged => "Sist endret", "Last changed";
    On => "På", "On";
    Off => "Av", "Off";
    ReadPrivacyPolicy => "Les personvernerklæringen", "Read the privacy policy";
    RecipientsForCustomers => "Virksomheter vi deler opplysninger med", "Companies we share data with";
    BackToMinSide => "Tilbake til Min Side", "Back to Min Side";
    MyDataFrom => "Utskrift fra", "Copy from";
    ContactPerson => "Kontaktperson", "Contact person";
    MinSideLogins => "Innlogginger på Min Side", "Logins to Min Side";
    LoginSucceeded => "Innlogget", "Logged in";
    PasswordSet => "Passord valgt", "Password chosen";
    LoginLocked => "Avvist: kontoen var låst", "Refused: the account was locked";
    LoginFailed => "Mislykket innlogging", "Failed login";
    InviteToMinSide => "Inviter til Min Side", "Invite to Min Side";
    ErrEmailForInvitation => "Kontaktpersonen trenger en e-postadresse for å bli invitert.", "The contact person needs an e-mail address to be invited.";
    ErrEmailOnMinSide => "Adressen brukes allerede på Min Side av en annen kontaktperson hos denne klienten.", "The address is already used on Min Side by another contact person of this client.";
    WhoLooked => "Hvem har sett eller endret opplysningene dine", "Who has seen or changed your details";
    ByStaff => "av en ansatt", "by staff";
    ByYou => "av deg", "by you";
    ErrCommonPassword => "Passordet er for lett å gjette: det ligner et vanlig passord. Velg et lengre eller mindre vanlig.", "The password is too easy to guess: it resembles a common password. Choose a longer or less common one.";
}

/// A message with a number or time in it.
pub fn field_error(locale: Locale, error: FieldError) -> String {
    match (error, locale) {
        (FieldError::TooLong { max }, Locale::Nb) => format!("Høyst {max} tegn."),
        (FieldError::TooLong { max }, Locale::En) => format!("At most {max} characters."),
        (FieldError::TooMany { max }, Locale::Nb) => format!("Høyst {max}."),
        (FieldError::TooMany { max }, Locale::En) => format!("At most {max}."),
        (FieldError::TooShort { min }, Locale::Nb) => format!("Minst {min} tegn."),
        (FieldError::TooShort { min }, Locale::En) => format!("At least {min} characters."),
        (FieldError::OutOfRange { min, max }, Locale::Nb) => format!("Må være mellom {min} og {max}."),
        (FieldError::OutOfRange { min, max }, Locale::En) => format!("Must be between {min} and {max}."),
        (FieldError::Mismatch, l) => Msg::ErrMismatch.text(l).into(),
        (FieldError::CommonPassword, l) => Msg::ErrCommonPassword.text(l).into(),
        (FieldError::Required, l) => Msg::ErrRequired.text(l).into(),
        (FieldError::InvalidEmail, l) => Msg::ErrInvalidEmail.text(l).into(),
        (FieldError::InvalidPhone, l) => Msg::ErrInvalidPhone.text(l).into(),
        (FieldError::InvalidOrgNo, l) => Msg::ErrInvalidOrgNo.text(l).into(),
        (FieldError::InvalidCustomerNumber, l) => Msg::ErrInvalidCustomerNumber.text(l).into(),
        (FieldError::InvalidPostalCode, l) => Msg::ErrInvalidPostalCode.text(l).into(),
        (FieldError::Taken, l) => Msg::ErrTaken.text(l).into(),
        (FieldError::InvalidCode, l) => Msg::ErrInvalidCode.text(l).into(),
        (FieldError::InvalidDate, l) => Msg::ErrInvalidDate.text(l).into(),
        (FieldError::InvalidUrl, l) => Msg::ErrInvalidUrl.text(l).into(),
    }
}

pub fn api_error(locale: Locale, error: &ApiError) -> String {
    let msg = match error {
        ApiError::NotLoggedIn => Msg::ErrNotLoggedIn,
        ApiError::NoTenantChosen => Msg::ErrNoTenant,
        ApiError::Forbidden => Msg::ErrForbidden,
        ApiError::NotFound => Msg::ErrNotFound,
        ApiError::Conflict => Msg::ErrConflict,
        ApiError::LastAdministrator => Msg::ErrLastAdministrator,
        ApiError::WrongCode => Msg::ErrWrongCode,
        ApiError::Invalid(_) => Msg::FixErrors,
        ApiError::WrongCredentials => Msg::WrongCredentials,
        ApiError::CrossOrigin => Msg::ErrCrossOrigin,
        ApiError::LinkInvalid => Msg::LinkInvalid,
        ApiError::Internal => Msg::ErrInternal,
        ApiError::Transport(_) => Msg::ErrTransport,
        ApiError::Locked { retry_after_minutes } => return locked_until(locale, *retry_after_minutes),
        ApiError::OpenBalance { ore } => return open_balance(locale, *ore),
        ApiError::MissingRight(p) => return missing_right(locale, *p),
    };
    msg.text(locale).into()
}

pub fn mark_msg(mark: ConsentMark) -> Msg {
    match mark {
        ConsentMark::Given => Msg::ConsentGiven,
        ConsentMark::Withdrawn => Msg::ConsentWithdrawn,
        ConsentMark::NeverAsked => Msg::ConsentNeverAsked,
    }
}

pub fn source_msg(source: ConsentSource) -> Msg {
    match source {
        ConsentSource::StaffCard => Msg::SourceStaffCard,
        ConsentSource::MinSide => Msg::SourceMinSide,
        ConsentSource::PaperForm => Msg::SourcePaperForm,
        ConsentSource::Import => Msg::SourceImport,
    }
}

pub fn channel_msg(channel: Channel) -> Msg {
    match channel {
        Channel::Email => Msg::ChannelEmail,
        Channel::Sms => Msg::ChannelSms,
        Channel::Phone => Msg::ChannelPhone,
        Channel::Post => Msg::ChannelPost,
        Channel::None => Msg::ChannelNone,
    }
}

pub fn basis_msg(basis: LegalBasis) -> Msg {
    match basis {
        LegalBasis::Consent => Msg::BasisConsent,
        LegalBasis::CustomerRelationship => Msg::BasisCustomerRelationship,
        LegalBasis::Contract => Msg::BasisContract,
        LegalBasis::LegalObligation => Msg::BasisLegalObligation,
        LegalBasis::LegitimateInterest => Msg::BasisLegitimateInterest,
    }
}

/// "Gjeldende versjon: 3, publisert av Ada Admin."
pub fn policy_version_line(locale: Locale, version: i64, by: Option<&str>) -> String {
    match (locale, by) {
        (Locale::Nb, Some(by)) => format!("Gjeldende versjon: {version}, publisert av {by}."),
        (Locale::Nb, None) => format!("Gjeldende versjon: {version}."),
        (Locale::En, Some(by)) => format!("Version in force: {version}, published by {by}."),
        (Locale::En, None) => format!("Version in force: {version}."),
    }
}

/// "2 endringer er ikke lagret."
pub fn unsaved_changes(locale: Locale, n: usize) -> String {
    match (locale, n) {
        (_, 0) => Msg::NoUnsavedChanges.text(locale).into(),
        (Locale::Nb, 1) => "1 endring er ikke lagret.".into(),
        (Locale::Nb, n) => format!("{n} endringer er ikke lagret."),
        (Locale::En, 1) => "1 change is not saved.".into(),
        (Locale::En, n) => format!("{n} changes are not saved."),
    }
}

/// An access-log action as the customer reads it on "Mine data".
pub fn access_action(locale: Locale, action: &str) -> String {
    let (nb, en) = match action {
        "customer_card_viewed" => ("Kundekortet ble åpnet", "The customer card was opened"),
        "customer_saved" => ("Kundeopplysningene ble endret", "The customer details were changed"),
        "contact_person_saved" => ("Kontaktopplysningene ble endret", "The contact details were changed"),
        "consent_changed" => ("Samtykker ble endret", "Consents were changed"),
        "consent_form_printed" => ("Samtykkeskjemaet ble laget", "The consent form was made"),
        "my_data_exported" => ("Mine data ble hentet", "My data was fetched"),
        "min_side_login" => ("Innlogging på Min Side", "Login to Min Side"),
        "min_side_password_set" => ("Passord valgt på Min Side", "Password chosen on Min Side"),
        other => (other, other),
    };
    match locale {
        Locale::Nb => nb.into(),
        Locale::En => en.into(),
    }
}

/// The invite button's accessible name: "Inviter Åse Ødegård til Min Side".
pub fn invite_label(locale: Locale, name: &str) -> String {
    match locale {
        Locale::Nb => format!("Inviter {name} til Min Side"),
        Locale::En => format!("Invite {name} to Min Side"),
    }
}

pub fn invitation_sent(locale: Locale, email: &str) -> String {
    match locale {
        Locale::Nb => format!("Invitasjon til Min Side er sendt til {email}."),
        Locale::En => format!("An invitation to Min Side has been sent to {email}."),
    }
}

/// Names the right, so the user knows what to ask an administrator for.
/// What the retention rule reaches today.
pub fn retention_count(locale: Locale, count: i64, cutoff: &str) -> String {
    match locale {
        Locale::Nb => format!("{count} kunder uten aktivitet siden {cutoff} og med saldo 0."),
        Locale::En => format!("{count} customers with no activity since {cutoff} and a zero balance."),
    }
}

pub fn retention_progress(locale: Locale, done: i64, total: i64) -> String {
    match locale {
        Locale::Nb => format!("{done} av {total} kunder anonymisert."),
        Locale::En => format!("{done} of {total} customers anonymised."),
    }
}

pub fn missing_right(locale: Locale, p: Permission) -> String {
    let right = right_msg(p).text(locale);
    match locale {
        Locale::Nb => format!("Du har ikke tilgang: dette krever rettigheten «{right}». Be en administrator i klienten om å gi deg den under Tilgangsstyring."),
        Locale::En => format!("No access: this needs the right “{right}”. Ask an administrator of the client to give it to you under Access control."),
    }
}

pub fn right_msg(p: Permission) -> Msg {
    match p {
        Permission::CustomerRead => Msg::RightCustomerRead,
        Permission::CustomerWrite => Msg::RightCustomerWrite,
        Permission::ConsentRead => Msg::RightConsentRead,
        Permission::ConsentWrite => Msg::RightConsentWrite,
        Permission::Anonymise => Msg::RightAnonymise,
        Permission::Secrets => Msg::RightSecrets,
        Permission::Reports => Msg::RightReports,
        Permission::ClientSettings => Msg::RightClientSettings,
        Permission::AccessControl => Msg::RightAccessControl,
        Permission::AccessLog => Msg::RightAccessLog,
        Permission::Bookkeeping => Msg::RightBookkeeping,
    }
}

fn locked_until(locale: Locale, minutes: i64) -> String {
    match locale {
        Locale::Nb => format!("Kontoen er midlertidig låst etter for mange mislykkede forsøk. Prøv igjen om {minutes} min."),
        Locale::En => format!("The account is locked for now after too many failed attempts. Try again in {minutes} min."),
    }
}

/// The current locale, readable reactively anywhere below `App`.
#[derive(Debug, Clone, Copy)]
pub struct I18n(pub RwSignal<Locale>);

impl I18n {
    /// try_get: a render the client abandoned can still resolve a text after its signals are
    /// gone (leptos-rs/leptos#4829); the default language is then as good as any.
    pub fn locale(self) -> Locale {
        self.0.try_get().unwrap_or_default()
    }

    pub fn t(self, msg: Msg) -> &'static str {
        msg.text(self.locale())
    }

    pub fn set(self, locale: Locale) {
        self.0.set(locale);
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
                if let Some(html) = doc.document_element() {
                    let _ = html.set_attribute("lang", locale.code());
                }
                let _ = doc
                    .dyn_into::<web_sys::HtmlDocument>()
                    .map(|d| d.set_cookie(&format!("{LANG_COOKIE}={}; path=/; max-age=31536000; samesite=strict", locale.code())));
            }
        }
    }
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// Reads the locale the page was rendered in: the cookie on the server, `<html lang>` in the browser.
pub fn initial_locale() -> Locale {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|parts| {
                parts.headers.get_all(http::header::COOKIE).iter().find_map(|v| {
                    v.to_str().ok()?.split(';').find_map(|c| {
                        let (k, v) = c.trim().split_once('=')?;
                        (k == LANG_COOKIE).then(|| Locale::from_code(v))
                    })
                })
            })
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        #[cfg(feature = "hydrate")]
        {
            web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.document_element())
                .and_then(|e| e.get_attribute("lang"))
                .map(|c| Locale::from_code(&c))
                .unwrap_or_default()
        }
        #[cfg(not(feature = "hydrate"))]
        Locale::default()
    }
}

/// An access-log action by its stored code, as the Innsynslogg shows it.
pub fn access_action_label(locale: Locale, code: &str) -> String {
    let (nb, en) = match code {
        "staff_login" => ("Innlogging", "Login"),
        "staff_login_failed" => ("Mislykket innlogging", "Failed login"),
        "mfa_enrolled" => ("Tofaktor satt opp", "Two-factor set up"),
        "mfa_failed" => ("Feil tofaktorkode", "Wrong two-factor code"),
        "mfa_recovery_code_used" => ("Gjenopprettingskode brukt", "Recovery code used"),
        "mfa_reset" => ("Tofaktor nullstilt", "Two-factor reset"),
        "mfa_requirement_changed" => ("Krav om tofaktor endret", "Two-factor requirement changed"),
        "customer_card_viewed" => ("Kundekort åpnet", "Customer card opened"),
        "customer_saved" => ("Kunde lagret", "Customer saved"),
        "contact_person_saved" => ("Kontaktperson lagret", "Contact person saved"),
        "consent_changed" => ("Samtykke endret", "Consent changed"),
        "consent_events_exported" => ("Samtykkehendelser eksportert", "Consent events exported"),
        "consent_form_printed" => ("Samtykkeskjema skrevet ut", "Consent form printed"),
        "client_settings_changed" => ("Klientinnstillinger endret", "Client settings changed"),
        "consent_purpose_changed" => ("Samtykkeformål endret", "Consent purpose changed"),
        "min_side_invitation" => ("Invitert til Min Side", "Invited to Min Side"),
        "min_side_login" => ("Innlogging på Min Side", "Min Side login"),
        "min_side_password_set" => ("Passord satt på Min Side", "Min Side password set"),
        "my_data_exported" => ("Mine data lastet ned", "My data downloaded"),
        "access_group_created" => ("Tilgangsgruppe opprettet", "Access group created"),
        "access_group_saved" => ("Tilgangsgruppe lagret", "Access group saved"),
        "access_group_deleted" => ("Tilgangsgruppe slettet", "Access group deleted"),
        "administrator_marked" => ("Gjort til administrator", "Made administrator"),
        "administrator_unmarked" => ("Ikke lenger administrator", "No longer administrator"),
        "secret_revealed" => ("Hemmelighet vist", "Secret revealed"),
        "secret_saved" => ("Hemmelighet lagret", "Secret saved"),
        "secret_deleted" => ("Hemmelighet slettet", "Secret deleted"),
        "access_log_exported" => ("Innsynslogg eksportert", "Access log exported"),
        "access_log_retention_changed" => ("Oppbevaringstid endret", "Retention changed"),
        "customer_anonymised" => ("Kunde anonymisert", "Customer anonymised"),
        "invoice_copy_printed" => ("Fakturakopi åpnet", "Invoice copy opened"),
        "invoice_archive_read" => ("Arkivert faktura åpnet", "Archived invoice opened"),
        other => return other.to_string(),
    };
    match locale {
        Locale::Nb => nb.into(),
        Locale::En => en.into(),
    }
}

#[cfg(test)]
mod access_action_tests {
    use super::*;

    #[test]
    fn every_listed_action_has_a_label_in_both_languages() {
        for code in crate::model::ACCESS_LOG_ACTIONS {
            assert_ne!(access_action_label(Locale::Nb, code), code, "{code}");
            assert_ne!(access_action_label(Locale::En, code), code, "{code}");
        }
    }
}

/// "Kunden har en åpen saldo på 1 250,00 kr …"
pub fn open_balance(locale: Locale, ore: i64) -> String {
    let amount = crate::domain::anonymise::format_nok(ore);
    match locale {
        Locale::Nb => format!("Kunden har en åpen saldo på {amount} kr i reskontro. Saldoen må være null før kunden kan anonymiseres."),
        Locale::En => format!("The customer has an open balance of NOK {amount} in the ledger. It must be zero before the customer can be anonymised."),
    }
}

pub fn text_source_msg(source: crate::domain::anonymise::TextSource) -> Msg {
    use crate::domain::anonymise::TextSource;
    match source {
        TextSource::Note => Msg::SourceNote,
        TextSource::Task => Msg::SourceTask,
        TextSource::Order => Msg::SourceOrder,
        TextSource::OrderLine => Msg::SourceOrderLine,
        TextSource::InvoiceLine => Msg::SourceInvoiceLine,
    }
}

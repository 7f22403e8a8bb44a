//! Consent rules: purposes and their channels, what a change in the consent grid is, and how
//! the current state follows from the append-only event history (GDPR art. 7(1)).

use super::{FieldError, FieldErrors, RequiredText};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

pub type ContactPersonId = i64;
pub type PurposeId = i64;

/// How the person is reached for this purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Channel {
    #[default]
    Email,
    Sms,
    Phone,
    Post,
    None,
}

/// Why processing for the purpose is lawful (GDPR art. 6(1); markedsføringsloven § 15 for
/// existing customers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum LegalBasis {
    #[default]
    Consent,
    CustomerRelationship,
    Contract,
    LegalObligation,
    LegitimateInterest,
}

/// Where a consent change came from; recorded on every event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConsentSource {
    StaffCard,
    MinSide,
    PaperForm,
    Import,
}

/// Who made a consent change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConsentActor {
    Staff,
    Customer,
}

macro_rules! str_enum {
    ($ty:ident { $($variant:ident => $s:literal),* $(,)? }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $s),* }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some($ty::$variant),)* _ => None }
            }
        }
    };
}

str_enum!(Channel { Email => "email", Sms => "sms", Phone => "phone", Post => "post", None => "none" });
str_enum!(LegalBasis {
    Consent => "consent",
    CustomerRelationship => "customer_relationship",
    Contract => "contract",
    LegalObligation => "legal_obligation",
    LegitimateInterest => "legitimate_interest",
});
str_enum!(ConsentSource { StaffCard => "staff_card", MinSide => "min_side", PaperForm => "paper_form", Import => "import" });
str_enum!(ConsentActor { Staff => "staff", Customer => "customer" });

/// One contact person's standing for one purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum ConsentMark {
    #[default]
    NeverAsked,
    Given,
    Withdrawn,
}

impl ConsentMark {
    pub fn from_given(given: bool) -> Self {
        if given {
            ConsentMark::Given
        } else {
            ConsentMark::Withdrawn
        }
    }
}

/// A cell of the consent grid.
pub type Cell = (ContactPersonId, PurposeId);

/// One requested change: give or withdraw one purpose for one contact person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
pub struct ConsentChange {
    pub contact_person_id: ContactPersonId,
    pub purpose_id: PurposeId,
    pub given: bool,
}

/// What Save would store: the ticked cells against the marks that were loaded.
///
/// A box is ticked exactly when consent is given, so unticking a never-asked cell is no change
/// (nobody withdrew anything), while unticking a given one withdraws it.
pub fn grid_changes(loaded: &BTreeMap<Cell, ConsentMark>, ticked: &BTreeSet<Cell>) -> Vec<ConsentChange> {
    let given_before = loaded.iter().filter(|(_, m)| **m == ConsentMark::Given).map(|(c, _)| *c);
    let cells: BTreeSet<Cell> = given_before.chain(ticked.iter().copied()).collect();
    cells
        .into_iter()
        .filter_map(|cell| {
            let was_given = loaded.get(&cell) == Some(&ConsentMark::Given);
            let is_ticked = ticked.contains(&cell);
            (was_given != is_ticked).then_some(ConsentChange { contact_person_id: cell.0, purpose_id: cell.1, given: is_ticked })
        })
        .collect()
}

/// The boxes to tick when the grid opens.
pub fn ticked_cells(loaded: &BTreeMap<Cell, ConsentMark>) -> BTreeSet<Cell> {
    loaded.iter().filter(|(_, m)| **m == ConsentMark::Given).map(|(c, _)| *c).collect()
}

/// One event as far as the state is concerned, in the order it was appended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsentFact {
    pub cell: Cell,
    pub given: bool,
}

/// The current state is the last event per cell; cells without events were never asked.
pub fn current_state(events: impl IntoIterator<Item = ConsentFact>) -> BTreeMap<Cell, ConsentMark> {
    events.into_iter().map(|e| (e.cell, ConsentMark::from_given(e.given))).collect()
}

/// Whether an event with `given` would change a cell standing at `current`; a save appends
/// events only for real changes, so the history counts what people actually decided.
pub fn is_change(current: ConsentMark, given: bool) -> bool {
    current != ConsentMark::from_given(given) && !(current == ConsentMark::NeverAsked && !given)
}

pub const PURPOSE_CODE_MAX: usize = 40;
pub const PURPOSE_LABEL_MAX: usize = 80;
pub const PURPOSE_WORDING_MAX: usize = 2000;

/// The purpose editor's form as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PurposeInput {
    pub code: String,
    pub label_nb: String,
    pub label_en: String,
    pub wording: String,
    pub channel: Channel,
    pub legal_basis: LegalBasis,
    pub active: bool,
}

/// A purpose that may be stored: trimmed, with a well-formed code. Only [`ValidPurpose::parse`]
/// (and the default set below) make one; it reads like the input it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidPurpose(PurposeInput);

impl std::ops::Deref for ValidPurpose {
    type Target = PurposeInput;

    fn deref(&self) -> &PurposeInput {
        &self.0
    }
}

impl ValidPurpose {
    pub fn parse(input: &PurposeInput) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let code = errors.check("code", parse_code(&input.code));
        let label_nb = errors.check("label_nb", RequiredText::parse(&input.label_nb, PURPOSE_LABEL_MAX));
        let label_en = errors.check("label_en", RequiredText::parse(&input.label_en, PURPOSE_LABEL_MAX));
        let wording = errors.check("wording", RequiredText::parse(&input.wording, PURPOSE_WORDING_MAX));
        match (code, label_nb, label_en, wording) {
            (Some(code), Some(label_nb), Some(label_en), Some(wording)) if errors.is_empty() => {
                Ok(ValidPurpose(PurposeInput { code, label_nb, label_en, wording, ..input.clone() }))
            }
            _ => Err(errors),
        }
    }
}

/// Codes name a purpose in exports and imports: lower-case letters, digits, `_` and `-`.
fn parse_code(s: &str) -> Result<String, FieldError> {
    let s = s.trim().to_lowercase();
    if s.is_empty() {
        return Err(FieldError::Required);
    }
    if s.chars().count() > PURPOSE_CODE_MAX {
        return Err(FieldError::TooLong { max: PURPOSE_CODE_MAX });
    }
    if !s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-') {
        return Err(FieldError::InvalidCode);
    }
    Ok(s)
}

/// The purposes every new tenant starts with; admins change or retire them in the settings.
pub fn default_purposes() -> Vec<ValidPurpose> {
    let p = |code: &str, nb: &str, en: &str, wording: &str, channel, legal_basis| {
        ValidPurpose(PurposeInput {
            code: code.into(),
            label_nb: nb.into(),
            label_en: en.into(),
            wording: wording.into(),
            channel,
            legal_basis,
            active: true,
        })
    };
    vec![
        p(
            "nyhetsbrev-epost",
            "Nyhetsbrev på e-post",
            "Newsletter by e-mail",
            "Jeg vil motta nyhetsbrev og informasjon om produkter og tjenester på e-post. Samtykket kan trekkes når som helst.",
            Channel::Email,
            LegalBasis::Consent,
        ),
        p(
            "tilbud-sms",
            "Tilbud på SMS",
            "Offers by SMS",
            "Jeg vil motta tilbud og kampanjer på SMS. Samtykket kan trekkes når som helst.",
            Channel::Sms,
            LegalBasis::Consent,
        ),
        p(
            "telefonsalg",
            "Telefonsalg",
            "Telephone sales",
            "Jeg kan kontaktes på telefon med tilbud. Samtykket kan trekkes når som helst.",
            Channel::Phone,
            LegalBasis::Consent,
        ),
        p(
            "reklame-post",
            "Reklame i posten",
            "Marketing by post",
            "Vi sender deg katalog og tilbud i posten som eksisterende kunde. Du kan reservere deg når som helst.",
            Channel::Post,
            LegalBasis::CustomerRelationship,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks(cells: &[(Cell, ConsentMark)]) -> BTreeMap<Cell, ConsentMark> {
        cells.iter().copied().collect()
    }

    #[test]
    fn an_untouched_grid_has_no_changes() {
        let loaded = marks(&[((1, 10), ConsentMark::Given), ((1, 11), ConsentMark::Withdrawn)]);
        assert!(grid_changes(&loaded, &ticked_cells(&loaded)).is_empty());
    }

    #[test]
    fn ticking_gives_and_unticking_withdraws() {
        let loaded = marks(&[((1, 10), ConsentMark::Given), ((1, 11), ConsentMark::Withdrawn)]);
        let mut ticked = ticked_cells(&loaded);
        ticked.remove(&(1, 10));
        ticked.insert((1, 11));
        ticked.insert((2, 10)); // never asked before
        assert_eq!(
            grid_changes(&loaded, &ticked),
            vec![
                ConsentChange { contact_person_id: 1, purpose_id: 10, given: false },
                ConsentChange { contact_person_id: 1, purpose_id: 11, given: true },
                ConsentChange { contact_person_id: 2, purpose_id: 10, given: true },
            ]
        );
    }

    #[test]
    fn toggling_back_is_no_change() {
        let loaded = marks(&[((1, 10), ConsentMark::Given)]);
        let mut ticked = ticked_cells(&loaded);
        ticked.insert((2, 10));
        ticked.remove(&(2, 10));
        ticked.remove(&(1, 10));
        ticked.insert((1, 10));
        assert!(grid_changes(&loaded, &ticked).is_empty());
    }

    #[test]
    fn a_never_asked_cell_left_unticked_is_not_a_withdrawal() {
        let loaded = marks(&[((1, 10), ConsentMark::NeverAsked)]);
        assert!(grid_changes(&loaded, &BTreeSet::new()).is_empty());
        assert!(!is_change(ConsentMark::NeverAsked, false));
        assert!(is_change(ConsentMark::NeverAsked, true));
        assert!(is_change(ConsentMark::Given, false));
        assert!(is_change(ConsentMark::Withdrawn, true));
        assert!(!is_change(ConsentMark::Given, true));
        assert!(!is_change(ConsentMark::Withdrawn, false));
    }

    #[test]
    fn the_state_is_the_last_event_per_cell() {
        let f = |cp, p, given| ConsentFact { cell: (cp, p), given };
        let state = current_state([f(1, 10, true), f(1, 11, true), f(1, 10, false), f(2, 10, true), f(1, 11, false), f(1, 11, true)]);
        assert_eq!(
            state,
            marks(&[((1, 10), ConsentMark::Withdrawn), ((1, 11), ConsentMark::Given), ((2, 10), ConsentMark::Given)])
        );
        assert_eq!(state.get(&(2, 11)).copied().unwrap_or_default(), ConsentMark::NeverAsked);
        assert!(current_state([]).is_empty());
    }

    #[test]
    fn purposes_are_validated_field_by_field() {
        let errors = ValidPurpose::parse(&PurposeInput { code: "Nyhets brev".into(), label_nb: "".into(), ..Default::default() })
            .unwrap_err();
        assert_eq!(errors.get("code"), Some(FieldError::InvalidCode));
        assert_eq!(errors.get("label_nb"), Some(FieldError::Required));
        assert_eq!(errors.get("label_en"), Some(FieldError::Required));
        assert_eq!(errors.get("wording"), Some(FieldError::Required));
        let ok = ValidPurpose::parse(&PurposeInput {
            code: " Tilbud-SMS ".into(),
            label_nb: "Tilbud".into(),
            label_en: "Offers".into(),
            wording: "Ja takk".into(),
            channel: Channel::Sms,
            legal_basis: LegalBasis::Consent,
            active: true,
        })
        .unwrap();
        assert_eq!(ok.code, "tilbud-sms");
        let long = "x".repeat(PURPOSE_CODE_MAX + 1);
        assert_eq!(parse_code(&long), Err(FieldError::TooLong { max: PURPOSE_CODE_MAX }));
    }

    #[test]
    fn the_default_set_is_valid_and_covers_the_channels() {
        let defaults = default_purposes();
        for p in &defaults {
            assert_eq!(ValidPurpose::parse(p).as_ref(), Ok(p));
        }
        let channels: BTreeSet<&str> = defaults.iter().map(|p| p.channel.as_str()).collect();
        assert_eq!(channels, BTreeSet::from(["email", "phone", "post", "sms"]));
    }

    #[test]
    fn enum_strings_round_trip() {
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(*c));
        }
        for b in LegalBasis::ALL {
            assert_eq!(LegalBasis::parse(b.as_str()), Some(*b));
        }
        for s in ConsentSource::ALL {
            assert_eq!(ConsentSource::parse(s.as_str()), Some(*s));
        }
        assert_eq!(Channel::parse("fax"), None);
    }
}

//! One tokenisation for both stored documents and user queries, so what is
//! indexed is exactly what can be searched for on SQLite FTS5 and PostgreSQL
//! alike. Tokens are lowercase alphanumeric runs with æ/ø/å left intact:
//! folding them would make "Ås" and "As" the same place.

use std::collections::HashSet;

use super::Phone;

const MAX_TERMS: usize = 8;
const MAX_TERM_CHARS: usize = 64;
/// Shorter digit runs (house numbers, flat numbers) are too common to be worth an
/// extra token.
const MIN_DIGIT_TOKEN: usize = 4;

/// Space-separated, de-duplicated tokens for `fields`, in first-seen order.
///
/// Besides the words, a field's digits are also indexed as one token, so a
/// phone or org number stored as "912 34 567" is found by "91234567".
/// Norwegian phones are additionally indexed with and without "47".
pub fn search_document(fields: &[&str]) -> String {
    let mut tokens = Tokens::default();
    for field in fields {
        for word in words(field) {
            tokens.push(word);
        }
        let digits = ascii_digits(field);
        if digits.len() >= MIN_DIGIT_TOKEN {
            tokens.push(digits);
        }
        if let Ok(phone) = Phone::parse(field) {
            if phone.is_norwegian() {
                tokens.push(phone.as_str()[1..].to_owned());
                tokens.push(phone.digits().to_owned());
            }
        }
    }
    tokens.list.join(" ")
}

/// Terms for a user's query, bounded so a pasted essay can't become an
/// expensive query.
///
/// A query made only of digits and punctuation ("912 34", "+47 912-34")
/// becomes one digit term, matching the digit token `search_document` adds.
pub fn search_terms(query: &str) -> Vec<String> {
    let mut alphanumerics = query.chars().filter(|c| c.is_alphanumeric()).peekable();
    if alphanumerics.peek().is_some() && alphanumerics.all(|c| c.is_ascii_digit()) {
        return vec![truncate(&ascii_digits(query))];
    }
    let mut tokens = Tokens::default();
    for word in words(query) {
        if tokens.list.len() == MAX_TERMS {
            break;
        }
        tokens.push(truncate(&word));
    }
    tokens.list
}

/// Lowercases before splitting because some lowercase mappings emit
/// combining marks ('İ' → "i\u{307}") that must end up as separators.
fn words(s: &str) -> Vec<String> {
    s.chars()
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

fn ascii_digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

fn truncate(term: &str) -> String {
    term.chars().take(MAX_TERM_CHARS).collect()
}

#[derive(Default)]
struct Tokens {
    seen: HashSet<String>,
    list: Vec<String>,
}

impl Tokens {
    fn push(&mut self, token: String) {
        if self.seen.insert(token.clone()) {
            self.list.push(token);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_norwegian_letters_unfolded() {
        assert_eq!(
            search_document(&["Ærlig Øvre Ålesund"]),
            "ærlig øvre ålesund"
        );
        assert_eq!(search_terms("ÆRLIG øvre"), ["ærlig", "øvre"]);
    }

    #[test]
    fn splits_email_on_punctuation() {
        assert_eq!(
            search_document(&["ola.nordmann@example.no"]),
            "ola nordmann example no"
        );
    }

    #[test]
    fn norwegian_phone_indexed_with_and_without_country_code() {
        let doc = search_document(&["+47 912 34 567"]);
        assert_eq!(doc, "47 912 34 567 4791234567 91234567");
        let tokens: Vec<&str> = doc.split(' ').collect();
        assert!(tokens.contains(&"4791234567"));
        assert!(tokens.contains(&"91234567"));
    }

    #[test]
    fn national_phone_also_gets_country_code_form() {
        assert_eq!(
            search_document(&["912 34 567"]),
            "912 34 567 91234567 4791234567"
        );
    }

    #[test]
    fn canonical_phone_is_not_duplicated() {
        assert_eq!(search_document(&["+4791234567"]), "4791234567 91234567");
    }

    #[test]
    fn foreign_phone_gets_only_digit_token() {
        assert_eq!(
            search_document(&["+46 70 123 45 67"]),
            "46 70 123 45 67 46701234567"
        );
    }

    #[test]
    fn org_no_with_spaces_gets_digit_token() {
        assert_eq!(search_document(&["923 609 016"]), "923 609 016 923609016");
    }

    #[test]
    fn short_digit_runs_get_no_extra_token() {
        assert_eq!(search_document(&["Storgata 12"]), "storgata 12");
    }

    #[test]
    fn deduplicates_across_fields_keeping_first_order() {
        assert_eq!(
            search_document(&["Ola Nordmann", "ola@nordmann.no", "", "   "]),
            "ola nordmann no"
        );
    }

    #[test]
    fn document_tokens_are_lowercase_alphanumeric() {
        let doc = search_document(&["İstanbul — Straße; 3½ × ΣΟΦΙΑ!", "\t\n"]);
        assert_eq!(doc, "i stanbul straße 3½ σοφια");
        assert!(doc
            .split(' ')
            .all(|t| !t.is_empty() && t.chars().all(char::is_alphanumeric)));
    }

    #[test]
    fn empty_input() {
        assert_eq!(search_document(&[]), "");
        assert_eq!(search_document(&["", " -- "]), "");
        assert!(search_terms("").is_empty());
        assert!(search_terms("   ").is_empty());
        assert!(search_terms(" ,.!? ").is_empty());
    }

    #[test]
    fn digit_queries_become_one_term() {
        assert_eq!(search_terms("912 34"), ["91234"]);
        assert_eq!(search_terms("+47 912-34-567"), ["4791234567"]);
        assert_eq!(search_terms("923 609 016"), ["923609016"]);
        assert_eq!(search_terms("12"), ["12"]);
    }

    #[test]
    fn mixed_queries_are_tokenised() {
        assert_eq!(search_terms("Ola 912 34"), ["ola", "912", "34"]);
        assert_eq!(
            search_terms("ola.nordmann@example.no"),
            ["ola", "nordmann", "example", "no"]
        );
    }

    #[test]
    fn query_terms_are_deduplicated() {
        assert_eq!(search_terms("ola OLA Ola nordmann"), ["ola", "nordmann"]);
    }

    #[test]
    fn at_most_eight_terms() {
        assert_eq!(
            search_terms("a b c d e f g h i j"),
            ["a", "b", "c", "d", "e", "f", "g", "h"]
        );
        // Duplicates don't use up the budget.
        assert_eq!(search_terms("a a b c d e f g h i").len(), 8);
        assert_eq!(search_terms("a a b c d e f g h i")[7], "h");
    }

    #[test]
    fn terms_truncated_to_64_chars() {
        let terms = search_terms(&"å".repeat(100));
        assert_eq!(terms, ["å".repeat(64)]);
        assert_eq!(search_terms(&"9".repeat(100)), ["9".repeat(64)]);
    }
}

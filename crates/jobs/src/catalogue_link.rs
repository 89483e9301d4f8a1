//! The link between catalogues of software: a Comptoir du Libre export
//! imported into a registry that already holds the software from another
//! source (the SILL, whose entries carry their Comptoir id) updates that
//! record instead of making a second one.
//!
//! Before the import, [`Known::read`] walks the registry's commons of
//! other sources and indexes them by Comptoir id, Wikidata id and
//! normalised repository URL. While records stream to the writer,
//! [`Matcher::reconcile`] gives each Comptoir software whose own record
//! (`commons:SOURCE:ID`) is not in the registry yet the first match, in
//! that order — never a match by name —, merged: the existing record
//! keeps its id, name, description and provenance, gains the Comptoir id
//! and whatever it lacked (Wikidata, SILL id, website, repository,
//! licence), the union of categories, and the Comptoir's details under
//! `comptoir_…` keys. The relations the export gives to that software
//! (users, providers) then point at the existing record. One existing
//! record takes at most one Comptoir software per import.

use archipel_domain::{Commons, Entity, EntityId, EntityKind, Relation};
use archipel_store::{Store, StoreError};
use std::collections::{HashMap, HashSet};

/// The registry's commons of other sources, indexed.
pub struct Known {
    by_comptoir: HashMap<String, Commons>,
    by_wikidata: HashMap<String, EntityId>,
    by_repository: HashMap<String, EntityId>,
    by_id: HashMap<EntityId, Commons>,
    /// Commons of the import's own source already in the registry.
    own: HashSet<EntityId>,
    source: String,
}

/// A repository URL reduced to what names the repository: no scheme,
/// `www.`, user, trailing `/` or `.git`, in lower case.
pub fn normalised_repository(url: &str) -> String {
    let mut u = url.trim().to_lowercase();
    for scheme in ["https://", "http://", "git://", "ssh://", "git+ssh://"] {
        if let Some(rest) = u.strip_prefix(scheme) {
            u = rest.to_string();
            break;
        }
    }
    if let Some((user, rest)) = u.split_once('@') {
        if !user.contains('/') {
            u = rest.replacen(':', "/", 1);
        }
    }
    let u = u.strip_prefix("www.").unwrap_or(&u).to_string();
    let u = u.trim_end_matches('/');
    let u = u.strip_suffix(".git").unwrap_or(u);
    u.trim_end_matches('/').to_string()
}

impl Known {
    pub fn read(store: &Store, source: &str) -> Result<Known, StoreError> {
        let mut k = Known {
            by_comptoir: HashMap::new(),
            by_wikidata: HashMap::new(),
            by_repository: HashMap::new(),
            by_id: HashMap::new(),
            own: HashSet::new(),
            source: source.to_string(),
        };
        store.for_each(EntityKind::Commons, |e| -> Result<(), StoreError> {
            let Entity::Commons(c) = e else {
                return Ok(());
            };
            if c.id.source() == source {
                k.own.insert(c.id);
                return Ok(());
            }
            if let Some(w) = &c.identifiers.wikidata {
                k.by_wikidata
                    .entry(w.clone())
                    .or_insert_with(|| c.id.clone());
            }
            if let Some(r) = &c.repository_url {
                k.by_repository
                    .entry(normalised_repository(r))
                    .or_insert_with(|| c.id.clone());
            }
            if let Some(cdl) = &c.identifiers.comptoir_du_libre {
                k.by_comptoir
                    .entry(cdl.clone())
                    .or_insert_with(|| c.clone());
            }
            k.by_id.insert(c.id.clone(), c);
            Ok(())
        })?;
        Ok(k)
    }

    fn find(&self, c: &Commons) -> Option<&Commons> {
        if let Some(found) = c
            .identifiers
            .comptoir_du_libre
            .as_ref()
            .and_then(|id| self.by_comptoir.get(id))
        {
            return Some(found);
        }
        let by = c
            .identifiers
            .wikidata
            .as_ref()
            .and_then(|w| self.by_wikidata.get(w))
            .or_else(|| {
                c.repository_url
                    .as_ref()
                    .and_then(|r| self.by_repository.get(&normalised_repository(r)))
            })?;
        self.by_id.get(by)
    }
}

/// Rewrites a Comptoir import's records as they stream (see the module).
pub struct Matcher<'k> {
    known: &'k Known,
    redirected: HashMap<EntityId, EntityId>,
    taken: HashSet<EntityId>,
}

impl<'k> Matcher<'k> {
    pub fn new(known: &'k Known) -> Self {
        Matcher {
            known,
            redirected: HashMap::new(),
            taken: HashSet::new(),
        }
    }

    pub fn reconcile(&mut self, e: Entity) -> Entity {
        match e {
            Entity::Commons(c) if !self.known.own.contains(&c.id) => {
                let Some(existing) = self.known.find(&c) else {
                    return Entity::Commons(c);
                };
                if !self.taken.insert(existing.id.clone()) {
                    return Entity::Commons(c);
                }
                self.redirected.insert(c.id.clone(), existing.id.clone());
                Entity::Commons(merge(existing, c))
            }
            Entity::Relation(mut r) => {
                if let Some(to) = self.redirected.get(&r.object) {
                    if let Ok(id) = Relation::derive_id(
                        &self.known.source,
                        &r.subject,
                        &r.kind,
                        to,
                        r.role.as_deref(),
                    ) {
                        r.id = id;
                        r.object = to.clone();
                    }
                }
                Entity::Relation(r)
            }
            other => other,
        }
    }
}

fn merge(existing: &Commons, new: Commons) -> Commons {
    let mut m = existing.clone();
    m.identifiers.comptoir_du_libre = new.identifiers.comptoir_du_libre;
    if m.identifiers.wikidata.is_none() {
        m.identifiers.wikidata = new.identifiers.wikidata;
    }
    if m.identifiers.sill.is_none() {
        m.identifiers.sill = new.identifiers.sill;
    }
    if m.website_url.is_none() {
        m.website_url = new.website_url;
    }
    if m.repository_url.is_none() {
        m.repository_url = new.repository_url;
    }
    if m.license.is_none() {
        m.license = new.license;
    }
    for c in new.categories {
        if !m.categories.contains(&c) {
            m.categories.push(c);
        }
    }
    for (k, v) in new.details {
        let key = if k.starts_with("comptoir_") {
            k
        } else {
            format!("comptoir_{k}")
        };
        m.details.entry(key).or_insert(v);
    }
    m.provenance.updated_at = new.provenance.updated_at;
    m
}

#[cfg(test)]
mod tests {
    use super::normalised_repository as n;

    #[test]
    fn repository_urls_meet() {
        assert_eq!(n("https://github.com/Foo/Bar.git"), "github.com/foo/bar");
        assert_eq!(n("http://www.github.com/foo/bar/"), "github.com/foo/bar");
        assert_eq!(n("git@github.com:foo/bar.git"), "github.com/foo/bar");
        assert_ne!(
            n("https://github.com/foo/bar"),
            n("https://gitlab.com/foo/bar")
        );
    }
}

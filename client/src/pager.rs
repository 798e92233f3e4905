//! Collections: `{"value": [...], "nextLink": "..."}`. A [`Pager`] asks for one page at a
//! time and follows the absolute `nextLink` as given (it is opaque: `$skipToken`, `$skip`, or
//! anything else the service chose). A page may be empty and still have a `nextLink`.

use std::marker::PhantomData;

use futures_util::stream::{self, Stream};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::client::ArmClient;
use crate::error::{Error, Result};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Page<T> {
    #[serde(default = "Vec::new")]
    value: Vec<T>,
    #[serde(default)]
    next_link: Option<String>,
}

pub struct Pager<T> {
    client: ArmClient,
    next: Option<String>,
    pages: u32,
    _t: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> Pager<T> {
    pub fn new(client: ArmClient, first_url: String) -> Pager<T> {
        Pager { client, next: Some(first_url), pages: 0, _t: PhantomData }
    }

    /// How many pages were fetched so far.
    pub fn pages(&self) -> u32 {
        self.pages
    }

    /// The next page, or `None` after the last one.
    pub async fn next_page(&mut self) -> Result<Option<Vec<T>>> {
        let Some(url) = self.next.take() else { return Ok(None) };
        let page: Page<T> = self.client.get_json(&url).await?;
        self.pages += 1;
        self.next = match page.next_link {
            Some(n) if n.is_empty() => None,
            Some(n) if n == url => {
                return Err(Error::Unexpected {
                    status: 200,
                    body: String::new(),
                    reason: format!("the nextLink repeats the page's own URL ({n})"),
                    request_id: None,
                })
            }
            other => other,
        };
        Ok(Some(page.value))
    }

    /// Every item of every page.
    pub async fn collect_all(mut self) -> Result<Vec<T>> {
        let mut all = Vec::new();
        while let Some(p) = self.next_page().await? {
            all.extend(p);
        }
        Ok(all)
    }

    /// The items one by one, fetching pages as needed.
    pub fn into_stream(self) -> impl Stream<Item = Result<T>> {
        let state = (self, std::collections::VecDeque::<T>::new(), false);
        stream::unfold(state, |(mut pager, mut buf, failed)| async move {
            if failed {
                return None;
            }
            loop {
                if let Some(item) = buf.pop_front() {
                    return Some((Ok(item), (pager, buf, false)));
                }
                match pager.next_page().await {
                    Ok(Some(items)) => buf.extend(items),
                    Ok(None) => return None,
                    Err(e) => return Some((Err(e), (pager, buf, true))),
                }
            }
        })
    }
}

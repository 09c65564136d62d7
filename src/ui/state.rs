//! The app model (`crate::app`) as Yew's reducer: `reduce` hands back the same `Rc` when
//! a verb changed nothing, so `use_reducer` does not re-render.

use crate::app::{State, Verb};
use std::rc::Rc;
use yew::Reducible;

impl Reducible for State {
    type Action = Verb;

    fn reduce(self: Rc<Self>, verb: Verb) -> Rc<Self> {
        crate::app::reduce(self, verb)
    }
}

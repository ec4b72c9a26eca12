//! Cycles and order in the three graphs of roles — custom roles by `copies` / `inherits`
//! (`resolve`), files' authors (`validate`) and the catalog's built-ins (`catalog`) — over
//! petgraph, walked without recursion: inputs are untrusted, and a 100,000-deep chain must
//! not overflow the stack.

use std::collections::HashSet;
use std::hash::Hash;

use petgraph::graph::{DiGraph, NodeIndex};

/// A strongly connected component: one node, or several that reach each other.
#[derive(Clone, Debug)]
pub struct Component {
    pub nodes: Vec<NodeIndex>,
    /// Several nodes, or one with an edge to itself.
    pub is_cycle: bool,
}

/// The components of `graph` in topological order: for an edge `a → b` in different
/// components, `a`'s comes first. petgraph's `kosaraju_scc` is iterative (its `tarjan_scc`
/// recurses) and yields the reverse of that order.
pub fn components<N, E>(graph: &DiGraph<N, E>) -> Vec<Component> {
    let mut found = petgraph::algo::kosaraju_scc(graph);
    found.reverse();
    found
        .into_iter()
        .map(|nodes| {
            let is_cycle = nodes.len() > 1
                || nodes
                    .first()
                    .is_some_and(|&node| graph.contains_edge(node, node));
            Component { nodes, is_cycle }
        })
        .collect()
}

/// One concrete loop through a cycle, to show to a user: from `start`, each step goes to the
/// smallest member of `cycle` not yet visited among `next(current)`, until none is left. The
/// walk holds every member when the cycle is a simple ring.
pub fn walk<T, I>(start: T, cycle: &HashSet<T>, mut next: impl FnMut(T) -> I) -> Vec<T>
where
    T: Copy + Ord + Hash,
    I: IntoIterator<Item = T>,
{
    let mut path = vec![start];
    let mut visited = HashSet::from([start]);
    let mut current = start;
    while let Some(step) = next(current)
        .into_iter()
        .filter(|step| cycle.contains(step) && !visited.contains(step))
        .min()
    {
        path.push(step);
        visited.insert(step);
        current = step;
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_come_in_topological_order_with_cycles_marked() {
        // 0 → 1 → 2 → 1, 3 → 3, 4 alone.
        let mut graph = DiGraph::<u8, ()>::new();
        let nodes: Vec<NodeIndex> = (0..5).map(|i| graph.add_node(i)).collect();
        for (from, to) in [(0, 1), (1, 2), (2, 1), (3, 3)] {
            graph.add_edge(nodes[from], nodes[to], ());
        }
        let found = components(&graph);
        let position = |node: usize| {
            found
                .iter()
                .position(|c| c.nodes.contains(&nodes[node]))
                .unwrap_or(usize::MAX)
        };
        assert!(position(0) < position(1));
        assert_eq!(position(1), position(2));
        let cycles: Vec<usize> = found
            .iter()
            .filter(|c| c.is_cycle)
            .map(|c| c.nodes.len())
            .collect();
        assert_eq!(cycles.len(), 2);
        assert!(cycles.contains(&2) && cycles.contains(&1));
    }

    #[test]
    fn a_100000_long_chain_costs_no_stack() {
        let mut graph = DiGraph::<u32, ()>::new();
        let mut previous = graph.add_node(0);
        for i in 1..100_000 {
            let node = graph.add_node(i);
            graph.add_edge(previous, node, ());
            previous = node;
        }
        let found = components(&graph);
        assert_eq!(found.len(), 100_000);
        assert!(found.iter().all(|c| !c.is_cycle));
    }

    #[test]
    fn a_walk_takes_the_smallest_step_and_visits_each_member_once() {
        let cycle: HashSet<u8> = [1, 2, 3].into();
        let next = |n: u8| match n {
            1 => vec![3, 2, 9],
            2 => vec![1, 3],
            _ => vec![1],
        };
        assert_eq!(walk(1, &cycle, next), [1, 2, 3]);
    }
}

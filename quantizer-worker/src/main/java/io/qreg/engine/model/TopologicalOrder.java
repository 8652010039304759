package io.qreg.engine.model;

import io.qreg.onnx.ir.AttributeProto;
import io.qreg.onnx.ir.GraphProto;
import io.qreg.onnx.ir.NodeProto;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The order ONNX requires of a graph's nodes: each after the producers of its inputs, including the
 * names its subgraphs read from the enclosing scope. Kahn's algorithm with the lowest original
 * position first, so nodes already in order keep their relative order.
 */
final class TopologicalOrder {

    private TopologicalOrder() {
    }

    /**
     * The nodes, sorted.
     *
     * @param producers which node outputs each tensor; holds the very instances in {@code nodes}
     * @throws IllegalStateException if the graph has a cycle, naming nodes on it
     */
    static List<NodeProto> of(List<NodeProto> nodes, Map<String, NodeProto> producers, String graphName) {
        int n = nodes.size();
        // Identity, not equals(): the producer index holds the very instances in the node list.
        Map<NodeProto, Integer> position = new IdentityHashMap<>();
        for (int i = 0; i < n; i++) {
            position.putIfAbsent(nodes.get(i), i);
        }
        List<List<Integer>> successors = new ArrayList<>(n);
        int[] pending = new int[n];
        for (int i = 0; i < n; i++) {
            successors.add(new ArrayList<>(2));
        }
        for (int i = 0; i < n; i++) {
            for (String input : dependencies(nodes.get(i))) {
                NodeProto producer = producers.get(input);
                if (producer != null) {
                    successors.get(position.get(producer)).add(i);
                    pending[i]++;
                }
            }
        }
        PriorityQueue<Integer> ready = new PriorityQueue<>();
        for (int i = 0; i < n; i++) {
            if (pending[i] == 0) {
                ready.add(i);
            }
        }
        List<NodeProto> sorted = new ArrayList<>(n);
        BitSet done = new BitSet(n);
        while (!ready.isEmpty()) {
            int i = ready.poll();
            sorted.add(nodes.get(i));
            done.set(i);
            for (int next : successors.get(i)) {
                if (--pending[next] == 0) {
                    ready.add(next);
                }
            }
        }
        if (sorted.size() < n) {
            List<String> stuck = new ArrayList<>();
            for (int i = done.nextClearBit(0); i < n && stuck.size() < 5; i = done.nextClearBit(i + 1)) {
                stuck.add(Nodes.describe(nodes.get(i)));
            }
            throw new IllegalStateException("graph " + graphName + " has a cycle through " + (n - sorted.size())
                    + " nodes, among them " + stuck);
        }
        return sorted;
    }

    /** Explicit inputs plus every name read inside the node's subgraphs (outer-scope references). */
    private static Collection<String> dependencies(NodeProto node) {
        Set<String> names = new LinkedHashSet<>(node.getInputList());
        for (AttributeProto a : node.getAttributeList()) {
            if (a.hasG()) {
                collectInputs(a.getG(), names);
            }
            for (GraphProto g : a.getGraphsList()) {
                collectInputs(g, names);
            }
        }
        names.remove("");
        return names;
    }

    private static void collectInputs(GraphProto graph, Set<String> names) {
        for (NodeProto n : graph.getNodeList()) {
            names.addAll(dependencies(n));
        }
    }
}

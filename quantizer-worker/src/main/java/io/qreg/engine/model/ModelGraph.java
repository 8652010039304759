package io.qreg.engine.model;

import io.qreg.onnx.ir.AttributeProto;
import io.qreg.onnx.ir.GraphProto;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.TensorProto;
import io.qreg.onnx.ir.TypeProto;
import io.qreg.onnx.ir.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * An editable, name-indexed view of one ONNX graph for quantization passes.
 *
 * <p>Nodes and initializers live here while a pass edits them, with indexes from tensor name to
 * producer and consumers kept up to date by every edit; the other graph fields (inputs, outputs,
 * value_info, ...) stay in a {@link GraphProto.Builder}. {@link #toProto()} assembles the graph with
 * its nodes in topological order. Nodes are immutable protobuf messages, so "editing" a node means
 * replacing it; methods that change a node return the replacement. Lists returned are snapshots, so a
 * pass may edit the graph while iterating over {@link #nodes()}.
 *
 * <p>Not thread-safe.
 */
public final class ModelGraph {

    private final GraphProto.Builder rest;
    private final List<NodeProto> nodes = new ArrayList<>();
    private final Map<String, TensorProto> initializers = new LinkedHashMap<>();
    private final Map<String, NodeProto> producers = new HashMap<>();
    private final Map<String, List<NodeProto>> consumers = new HashMap<>();
    private final Map<String, ValueInfoProto> valueInfos = new HashMap<>();
    /** Every name ever seen or handed out; only grows, so a name from uniqueName is never reused. */
    private final Set<String> usedNames = new HashSet<>();

    ModelGraph(GraphProto graph) {
        this.rest = graph.toBuilder().clearNode().clearInitializer();
        for (TensorProto t : graph.getInitializerList()) {
            initializers.put(t.getName(), t);
        }
        for (NodeProto n : graph.getNodeList()) {
            nodes.add(n);
            index(n);
        }
        // Outputs first so that the richer value_info / input entries win when a name has several.
        for (ValueInfoProto v : graph.getOutputList()) {
            valueInfos.put(v.getName(), v);
        }
        for (ValueInfoProto v : graph.getValueInfoList()) {
            valueInfos.put(v.getName(), v);
        }
        for (ValueInfoProto v : graph.getInputList()) {
            valueInfos.put(v.getName(), v);
        }
        collectNames(graph, usedNames);
    }

    // ---- tensors -------------------------------------------------------------------------------

    public Optional<TensorProto> initializer(String name) {
        return Optional.ofNullable(initializers.get(name));
    }

    public boolean isInitializer(String name) {
        return initializers.containsKey(name);
    }

    /** All initializers, in file order. */
    public List<TensorProto> initializers() {
        return List.copyOf(initializers.values());
    }

    /**
     * @throws IllegalArgumentException if a tensor of that name already exists (initializer, graph
     *     input or node output); use {@link #uniqueName(String)} for new tensors
     */
    public void addInitializer(TensorProto tensor) {
        String name = tensor.getName();
        if (initializers.containsKey(name) || producers.containsKey(name) || isGraphInput(name)) {
            throw new IllegalArgumentException("tensor '" + name + "' already exists in graph " + rest.getName());
        }
        initializers.put(name, tensor);
        usedNames.add(name);
    }

    /**
     * Replaces the initializer of the same name (e.g. with quantized data); returns the old one.
     *
     * @throws IllegalArgumentException if there is no initializer of that name
     */
    public TensorProto replaceInitializer(TensorProto tensor) {
        TensorProto old = initializers.get(tensor.getName());
        if (old == null) {
            throw new IllegalArgumentException("no initializer '" + tensor.getName() + "' to replace");
        }
        initializers.put(tensor.getName(), tensor);
        return old;
    }

    /**
     * Removes an initializer, and the graph input of the same name that models before IR version 4 list
     * for each initializer, since nothing would feed it any more. Returns whether it existed.
     */
    public boolean removeInitializer(String name) {
        if (initializers.remove(name) == null) {
            return false;
        }
        for (int i = rest.getInputCount() - 1; i >= 0; i--) {
            if (rest.getInput(i).getName().equals(name)) {
                rest.removeInput(i);
                valueInfos.remove(name);
            }
        }
        return true;
    }

    /** Names of the inputs a caller must feed: graph inputs that are not also initializers. */
    public List<String> inputNames() {
        return rest.getInputList().stream().map(ValueInfoProto::getName).filter(n -> !initializers.containsKey(n))
                .toList();
    }

    public List<String> outputNames() {
        return rest.getOutputList().stream().map(ValueInfoProto::getName).toList();
    }

    /** The declared type and shape of a tensor, from the graph's inputs, outputs or value_info. */
    public Optional<ValueInfoProto> valueInfo(String name) {
        return Optional.ofNullable(valueInfos.get(name));
    }

    /** Adds or replaces the value_info entry for a tensor (e.g. for a tensor a pass created). */
    public void putValueInfo(ValueInfoProto info) {
        for (int i = 0; i < rest.getValueInfoCount(); i++) {
            if (rest.getValueInfo(i).getName().equals(info.getName())) {
                rest.setValueInfo(i, info);
                valueInfos.put(info.getName(), info);
                return;
            }
        }
        rest.addValueInfo(info);
        valueInfos.putIfAbsent(info.getName(), info); // a graph input/output declaration stays authoritative
        usedNames.add(info.getName());
    }

    /** The element type (a {@code TensorProto.DataType} number) of an initializer or a declared tensor. */
    public OptionalInt elementType(String name) {
        TensorProto init = initializers.get(name);
        if (init != null) {
            return OptionalInt.of(init.getDataType());
        }
        ValueInfoProto info = valueInfos.get(name);
        if (info != null && info.getType().hasTensorType() && info.getType().getTensorType().hasElemType()) {
            TypeProto.Tensor t = info.getType().getTensorType();
            return OptionalInt.of(t.getElemType());
        }
        return OptionalInt.empty();
    }

    /**
     * A name no tensor or node in the graph (subgraphs included) has, nor any earlier call returned:
     * {@code base} itself if free, else {@code base_1}, {@code base_2}, ... The name is reserved.
     */
    public String uniqueName(String base) {
        String name = base;
        for (int i = 1; usedNames.contains(name); i++) {
            name = base + "_" + i;
        }
        usedNames.add(name);
        return name;
    }

    // ---- nodes ---------------------------------------------------------------------------------

    /** A snapshot of the nodes in their current order. */
    public List<NodeProto> nodes() {
        return List.copyOf(nodes);
    }

    /** The first node named {@code name}; node names are optional in ONNX, so this may be empty. */
    public Optional<NodeProto> node(String name) {
        return nodes.stream().filter(n -> n.getName().equals(name)).findFirst();
    }

    /** The node that outputs {@code tensor}; empty for graph inputs, initializers and unknown names. */
    public Optional<NodeProto> producer(String tensor) {
        return Optional.ofNullable(producers.get(tensor));
    }

    /** Nodes that take {@code tensor} as an explicit input (subgraph references are not counted). */
    public List<NodeProto> consumers(String tensor) {
        List<NodeProto> list = consumers.get(tensor);
        return list == null ? List.of() : List.copyOf(list);
    }

    public boolean isGraphOutput(String tensor) {
        return rest.getOutputList().stream().anyMatch(v -> v.getName().equals(tensor));
    }

    /**
     * Adds a node right after the last producer of its inputs (first if none is produced by a node), so
     * the order stays topological for its inputs. Nodes already placed before it that consume its
     * outputs are moved after it by {@link #topologicalSort()}, which {@link #toProto()} runs.
     *
     * @throws IllegalArgumentException if one of its outputs already exists
     */
    public NodeProto addNode(NodeProto node) {
        checkNewOutputs(node);
        int position = 0;
        for (String input : node.getInputList()) {
            NodeProto producer = producers.get(input);
            if (producer != null) {
                position = Math.max(position, indexOf(producer) + 1);
            }
        }
        nodes.add(position, node);
        index(node);
        return node;
    }

    /** Adds {@code node} immediately before {@code anchor}. */
    public NodeProto insertBefore(NodeProto anchor, NodeProto node) {
        int position = indexOf(anchor);
        checkNewOutputs(node);
        nodes.add(position, node);
        index(node);
        return node;
    }

    /** Adds {@code node} immediately after {@code anchor}. */
    public NodeProto insertAfter(NodeProto anchor, NodeProto node) {
        int position = indexOf(anchor) + 1;
        checkNewOutputs(node);
        nodes.add(position, node);
        index(node);
        return node;
    }

    /** Removes a node; tensors it produced are left without a producer, for the caller to rewire. */
    public void removeNode(NodeProto node) {
        nodes.remove(indexOf(node));
        unindex(node);
    }

    /** Puts {@code replacement} where {@code old} was; returns the replacement. */
    public NodeProto replaceNode(NodeProto old, NodeProto replacement) {
        int position = indexOf(old);
        unindex(old);
        try {
            checkNewOutputs(replacement);
        } catch (IllegalArgumentException e) {
            index(old);
            throw e;
        }
        nodes.set(position, replacement);
        index(replacement);
        return replacement;
    }

    /**
     * Makes every node that reads {@code oldName} read {@code newName} instead; returns how many nodes
     * changed. Graph outputs keep their names, and references from inside subgraphs are not rewritten.
     */
    public int replaceInput(String oldName, String newName) {
        List<NodeProto> readers = consumers(oldName);
        for (NodeProto node : readers) {
            replaceInput(node, oldName, newName);
        }
        return readers.size();
    }

    /** Makes one node read {@code newName} wherever it read {@code oldName}; returns the updated node. */
    public NodeProto replaceInput(NodeProto node, String oldName, String newName) {
        NodeProto.Builder b = node.toBuilder();
        boolean changed = false;
        for (int i = 0; i < b.getInputCount(); i++) {
            if (b.getInput(i).equals(oldName)) {
                b.setInput(i, newName);
                changed = true;
            }
        }
        if (!changed) {
            throw new IllegalArgumentException(Nodes.describe(node) + " does not read '" + oldName + "'");
        }
        usedNames.add(newName);
        return replaceNode(node, b.build());
    }

    /**
     * Orders nodes so each comes after the producers of its inputs, including names that its subgraphs
     * read from the enclosing scope. Stable: nodes already in order keep their relative order.
     *
     * @throws IllegalStateException if the graph has a cycle, naming nodes on it
     */
    public void topologicalSort() {
        List<NodeProto> sorted = TopologicalOrder.of(nodes, producers, rest.getName());
        nodes.clear();
        nodes.addAll(sorted);
    }

    /** The graph with the current nodes (topologically sorted first) and initializers. */
    public GraphProto toProto() {
        topologicalSort();
        return rest.clone().addAllNode(nodes).addAllInitializer(initializers.values()).build();
    }

    // ---- internals -----------------------------------------------------------------------------

    private boolean isGraphInput(String name) {
        return rest.getInputList().stream().anyMatch(v -> v.getName().equals(name));
    }

    private void checkNewOutputs(NodeProto node) {
        for (String output : node.getOutputList()) {
            if (output.isEmpty()) {
                continue; // an omitted optional output
            }
            if (producers.containsKey(output) || initializers.containsKey(output) || isGraphInput(output)) {
                throw new IllegalArgumentException(Nodes.describe(node) + " outputs '" + output
                        + "', which already exists; use uniqueName() for new tensors");
            }
        }
    }

    private int indexOf(NodeProto node) {
        // Identity first: it is what callers hold, and avoids deep equals() on every node.
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i) == node) {
                return i;
            }
        }
        int i = nodes.indexOf(node);
        if (i < 0) {
            throw new IllegalArgumentException(Nodes.describe(node) + " is not in graph " + rest.getName()
                    + " (nodes are replaced when edited; use the node the edit returned)");
        }
        return i;
    }

    private void index(NodeProto node) {
        for (String output : node.getOutputList()) {
            if (!output.isEmpty()) {
                producers.put(output, node);
                usedNames.add(output);
            }
        }
        for (String input : new LinkedHashSet<>(node.getInputList())) {
            if (!input.isEmpty()) {
                consumers.computeIfAbsent(input, k -> new ArrayList<>(2)).add(node);
                usedNames.add(input);
            }
        }
        if (!node.getName().isEmpty()) {
            usedNames.add(node.getName());
        }
    }

    private void unindex(NodeProto node) {
        for (String output : node.getOutputList()) {
            producers.remove(output, node);
        }
        for (String input : new LinkedHashSet<>(node.getInputList())) {
            List<NodeProto> list = consumers.get(input);
            if (list != null) {
                list.removeIf(n -> n == node);
                if (list.isEmpty()) {
                    consumers.remove(input);
                }
            }
        }
    }

    private static void collectNames(GraphProto graph, Set<String> names) {
        graph.getInputList().forEach(v -> names.add(v.getName()));
        graph.getOutputList().forEach(v -> names.add(v.getName()));
        graph.getValueInfoList().forEach(v -> names.add(v.getName()));
        graph.getInitializerList().forEach(t -> names.add(t.getName()));
        for (NodeProto n : graph.getNodeList()) {
            names.add(n.getName());
            names.addAll(n.getInputList());
            names.addAll(n.getOutputList());
            for (AttributeProto a : n.getAttributeList()) {
                if (a.hasG()) {
                    collectNames(a.getG(), names);
                }
                a.getGraphsList().forEach(g -> collectNames(g, names));
            }
        }
    }
}

package io.qreg.engine.model;

import io.qreg.onnx.ir.AttributeProto;
import io.qreg.onnx.ir.FunctionProto;
import io.qreg.onnx.ir.GraphProto;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.SparseTensorProto;
import io.qreg.onnx.ir.TensorProto;
import java.io.IOException;

/**
 * Rewrites every tensor a graph holds: initializers, sparse initializers and tensors in node
 * attributes, recursing into subgraphs (If/Loop/Scan bodies), so that none is missed when external
 * data is resolved.
 */
final class GraphTensors {

    @FunctionalInterface
    interface TensorRewrite {
        TensorProto apply(TensorProto tensor) throws IOException;
    }

    private GraphTensors() {
    }

    static GraphProto rewrite(GraphProto graph, TensorRewrite f) throws IOException {
        GraphProto.Builder b = graph.toBuilder();
        for (int i = 0; i < b.getInitializerCount(); i++) {
            b.setInitializer(i, f.apply(b.getInitializer(i)));
        }
        for (int i = 0; i < b.getSparseInitializerCount(); i++) {
            b.setSparseInitializer(i, rewrite(b.getSparseInitializer(i), f));
        }
        for (int i = 0; i < b.getNodeCount(); i++) {
            b.setNode(i, rewrite(b.getNode(i), f));
        }
        return b.build();
    }

    static FunctionProto rewrite(FunctionProto function, TensorRewrite f) throws IOException {
        FunctionProto.Builder b = function.toBuilder();
        for (int i = 0; i < b.getNodeCount(); i++) {
            b.setNode(i, rewrite(b.getNode(i), f));
        }
        return b.build();
    }

    private static NodeProto rewrite(NodeProto node, TensorRewrite f) throws IOException {
        if (node.getAttributeCount() == 0) {
            return node;
        }
        NodeProto.Builder b = node.toBuilder();
        for (int i = 0; i < b.getAttributeCount(); i++) {
            b.setAttribute(i, rewrite(b.getAttribute(i), f));
        }
        return b.build();
    }

    private static AttributeProto rewrite(AttributeProto attr, TensorRewrite f) throws IOException {
        if (!attr.hasT() && attr.getTensorsCount() == 0 && !attr.hasG() && attr.getGraphsCount() == 0
                && !attr.hasSparseTensor() && attr.getSparseTensorsCount() == 0) {
            return attr;
        }
        AttributeProto.Builder b = attr.toBuilder();
        if (b.hasT()) {
            b.setT(f.apply(b.getT()));
        }
        for (int i = 0; i < b.getTensorsCount(); i++) {
            b.setTensors(i, f.apply(b.getTensors(i)));
        }
        if (b.hasG()) {
            b.setG(rewrite(b.getG(), f));
        }
        for (int i = 0; i < b.getGraphsCount(); i++) {
            b.setGraphs(i, rewrite(b.getGraphs(i), f));
        }
        if (b.hasSparseTensor()) {
            b.setSparseTensor(rewrite(b.getSparseTensor(), f));
        }
        for (int i = 0; i < b.getSparseTensorsCount(); i++) {
            b.setSparseTensors(i, rewrite(b.getSparseTensors(i), f));
        }
        return b.build();
    }

    private static SparseTensorProto rewrite(SparseTensorProto sparse, TensorRewrite f) throws IOException {
        SparseTensorProto.Builder b = sparse.toBuilder();
        if (b.hasValues()) {
            b.setValues(f.apply(b.getValues()));
        }
        if (b.hasIndices()) {
            b.setIndices(f.apply(b.getIndices()));
        }
        return b.build();
    }
}

package io.qreg.registry.routing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

import io.qreg.registry.support.HttpApi;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The HTTPRoute CRD's {@code v1} OpenAPI v3 schema, from the gateway-api release vendored in test
 * resources, as a JSON Schema validator. Made strict the way {@code kubectl apply
 * --validate=strict} is: an object schema that lists its properties refuses any other (the API
 * server would silently prune them, so a misspelt field would otherwise pass unnoticed). The
 * CRD's CEL rules ({@code x-kubernetes-validations}) are not evaluated; a JSON Schema validator
 * skips them as unknown keywords.
 */
final class HttpRouteSchema {

    static final String RELEASE = "v1.6.1";
    private static final String CRD = "/gateway-api/" + RELEASE + "/gateway.networking.k8s.io_httproutes.yaml";

    private final Schema schema;

    private HttpRouteSchema(Schema schema) {
        this.schema = schema;
    }

    @SuppressWarnings("unchecked")
    static HttpRouteSchema load() {
        Map<String, Object> crd;
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(8 * 1024 * 1024);
        try (InputStream in = HttpRouteSchema.class.getResourceAsStream(CRD)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + CRD);
            }
            crd = new Yaml(options).load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Object> spec = (Map<String, Object>) crd.get("spec");
        Map<String, Object> v1 = ((List<Map<String, Object>>) spec.get("versions")).stream()
                .filter(v -> "v1".equals(v.get("name"))).findFirst()
                .orElseThrow(() -> new IllegalStateException("the CRD has no v1 version"));
        JsonNode openApi = HttpApi.JSON.valueToTree(((Map<String, Object>) v1.get("schema")).get("openAPIV3Schema"));
        strict(openApi);
        // OpenAPI v3.0 schema objects are a subset of JSON Schema draft 4 (plus x- extensions).
        return new HttpRouteSchema(SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4).getSchema(openApi));
    }

    List<Error> validate(String json) {
        return schema.validate(HttpApi.JSON.readTree(json));
    }

    /** Closes every object schema that names its properties and says nothing about others. */
    private static void strict(JsonNode node) {
        if (node instanceof ObjectNode object) {
            if (object.has("properties") && !object.has("additionalProperties")
                    && !object.has("x-kubernetes-preserve-unknown-fields")) {
                object.put("additionalProperties", false);
            }
            object.properties().forEach(e -> strict(e.getValue()));
        } else if (node != null && node.isArray()) {
            node.forEach(HttpRouteSchema::strict);
        }
    }
}

package io.qreg.registry.alias;

import java.util.List;

import io.qreg.registry.model.ModelAlias;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import lombok.RequiredArgsConstructor;

/** Model aliases over HTTP (MLflow 2's shape): set or move, read, delete, and a model's list. */
@RestController
@RequiredArgsConstructor
class AliasController {

    private final Aliases aliases;

    @PutMapping("/api/v1/models/{name}/aliases/{alias}")
    ModelAlias set(@PathVariable String name, @PathVariable String alias,
            @RequestBody(required = false) AliasTarget target) {
        return aliases.set(name, alias, target);
    }

    @GetMapping("/api/v1/models/{name}/aliases/{alias}")
    ModelAlias get(@PathVariable String name, @PathVariable String alias) {
        return aliases.get(name, alias);
    }

    @DeleteMapping("/api/v1/models/{name}/aliases/{alias}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@PathVariable String name, @PathVariable String alias) {
        aliases.delete(name, alias);
    }

    @GetMapping("/api/v1/models/{name}/aliases")
    List<ModelAlias> list(@PathVariable String name) {
        return aliases.aliasesOf(name);
    }
}

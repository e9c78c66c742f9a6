{# Swagger UI with the schema selector: drf-spectacular's script builds the UI with the "apis" preset only; the selector (StandaloneLayout, chosen in SWAGGER_UI_SETTINGS) also needs the standalone preset, which the page already loads from the sidecar. #}
(() => {
  const baseBundle = window.SwaggerUIBundle;
  const withStandalone = (config) =>
    baseBundle({ ...config, presets: [...(config.presets || []), window.SwaggerUIStandalonePreset] });
  window.SwaggerUIBundle = Object.assign(withStandalone, baseBundle);
})();
{% include "drf_spectacular/swagger_ui.js" %}

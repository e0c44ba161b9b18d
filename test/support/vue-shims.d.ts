// The root tsconfig checks the tests, which mount the renderer's .vue components; vue-tsc checks
// the components themselves (renderer/tsconfig.json), so here a .vue module is just a component.
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}

// @vitest-environment happy-dom
// The caseload's virtual grid as a component: it tells assistive technology the whole size while
// rendering only a window of rows, asks for the rows it is about to show, and is driven by the
// keyboard (arrows move the one focusable row, Enter opens it).
import { mount } from '@vue/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { h, nextTick } from 'vue';
import VirtualTable from '../../renderer/src/components/VirtualTable.vue';

const ROWS = 10_000;

// happy-dom lays nothing out, so every box measures 0×0; the grid's viewport is given the size a
// laptop screen gives it (600 px: eleven 52 px rows), which is all the virtualizer reads.
const VIEWPORT = { width: 800, height: 600 };
const measured = ['offsetHeight', 'offsetWidth', 'clientHeight', 'clientWidth'] as const;
const originals = new Map<string, PropertyDescriptor | undefined>();
const originalRect = HTMLElement.prototype.getBoundingClientRect;
beforeAll(() => {
  for (const name of measured) {
    const original = Object.getOwnPropertyDescriptor(HTMLElement.prototype, name) ?? Object.getOwnPropertyDescriptor(Element.prototype, name);
    originals.set(name, original);
    Object.defineProperty(HTMLElement.prototype, name, {
      configurable: true,
      get(this: HTMLElement) {
        if (this.classList.contains('vt__viewport')) return name.endsWith('Height') ? VIEWPORT.height : VIEWPORT.width;
        return original?.get?.call(this) ?? 0;
      },
    });
  }
  HTMLElement.prototype.getBoundingClientRect = function (this: HTMLElement) {
    if (!this.classList.contains('vt__viewport')) return originalRect.call(this);
    return { x: 0, y: 0, top: 0, left: 0, right: VIEWPORT.width, bottom: VIEWPORT.height, ...VIEWPORT, toJSON: () => ({}) } as DOMRect;
  };
});
afterAll(() => {
  for (const [name, original] of originals) {
    if (original) Object.defineProperty(HTMLElement.prototype, name, original);
    else delete (HTMLElement.prototype as unknown as Record<string, unknown>)[name];
  }
  HTMLElement.prototype.getBoundingClientRect = originalRect;
});

function grid() {
  return mount(VirtualTable, {
    attachTo: document.body,
    props: {
      label: 'Caseload',
      columns: [{ key: 'name', label: 'Name' }],
      rowCount: ROWS,
      getRow: (index: number) => ({ name: `Client ${index + 1}` }),
    },
    slots: { cell: (scope: { row: { name: string } | undefined }) => h('span', scope.row?.name ?? '') },
  });
}

describe('the virtual grid', () => {
  it('announces every row but renders only a window of them, starting at the first', () => {
    const wrapper = grid();
    const table = wrapper.get('[role="grid"]');
    expect(table.attributes('aria-rowcount')).toBe(String(ROWS + 1));
    expect(table.attributes('aria-label')).toBe('Caseload');
    const rows = wrapper.findAll('[role="rowgroup"] [role="row"][data-index]');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(100);
    expect(rows[0]!.attributes('aria-rowindex')).toBe('2');
    expect(rows[0]!.text()).toBe('Client 1');
    wrapper.unmount();
  });

  it('asks for the rows it is about to show', () => {
    const wrapper = grid();
    const [start, end] = wrapper.emitted<[number, number]>('range')!.at(-1)!;
    expect(start).toBe(0);
    expect(end).toBe(wrapper.findAll('[data-index]').length);
    wrapper.unmount();
  });

  it('moves the one focusable row with the arrow keys and opens it with Enter', async () => {
    const wrapper = grid();
    const first = wrapper.get('[data-index="0"]');
    expect(first.attributes('tabindex')).toBe('0');
    await first.trigger('keydown', { key: 'ArrowDown' });
    await nextTick();
    expect(wrapper.get('[data-index="1"]').attributes('tabindex')).toBe('0');
    expect(wrapper.get('[data-index="0"]').attributes('tabindex')).toBe('-1');
    await wrapper.get('[data-index="1"]').trigger('keydown', { key: 'Enter' });
    expect(wrapper.emitted<[number]>('open')).toEqual([[1]]);
    wrapper.unmount();
  });
});

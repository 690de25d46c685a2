/**
 * A person's data written by an older Tabtune survives the upgrade: a version-1 database (tasks and texts only,
 * as the first studio wrote it) is opened by today's studio, which migrates it to the current version (adding the
 * runs and deltas stores) and shows the task, its texts and its labels as they were.
 */
import { expect, test } from './fixtures';
import { TasksPage } from './pages/TasksPage';

test('a version-1 database is upgraded in place and nothing in it is lost', async ({ studio, backend }) => {
  const page = studio.page;
  // A page of the studio's origin that does not open the database: the bundled model's config file.
  await page.goto('/models/all-MiniLM-L6-v2/config.json');
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const request = indexedDB.open('tabtune-studio', 1);
        request.onupgradeneeded = () => {
          const db = request.result;
          db.createObjectStore('tasks', { keyPath: 'id' });
          db.createObjectStore('texts', { keyPath: 'id' }).createIndex('byTask', 'taskId');
        };
        request.onerror = () => reject(request.error);
        request.onsuccess = () => {
          const db = request.result;
          const tx = db.transaction(['tasks', 'texts'], 'readwrite');
          const now = Date.now();
          tx.objectStore('tasks').put({
            id: 'v1-task', name: 'Written by version 1', createdAt: now, updatedAt: now,
            labels: [{ name: 'good', description: '' }, { name: 'bad', description: 'not good' }],
          });
          const texts = ['the first text', 'the second text', '<b>not bold</b>'];
          texts.forEach((text, order) =>
            tx.objectStore('texts').put({ id: `v1-text-${order}`, taskId: 'v1-task', text, order, label: order === 0 ? 1 : null, labelledAt: order === 0 ? now : null }),
          );
          tx.oncomplete = () => {
            db.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
  );

  const tasks = new TasksPage(page);
  await tasks.goto(backend);
  await tasks.open('Written by version 1');
  await expect(page.getByTestId('task.details.counts')).toHaveText('3 texts · 1 labelled');
  await studio.screenshot('migrated-v1');

  const after = await page.evaluate(
    () =>
      new Promise<{ version: number; stores: string[]; label: number | null }>((resolve, reject) => {
        const request = indexedDB.open('tabtune-studio');
        request.onerror = () => reject(request.error);
        request.onsuccess = () => {
          const db = request.result;
          const get = db.transaction('texts').objectStore('texts').get('v1-text-0');
          get.onsuccess = () => {
            resolve({ version: db.version, stores: [...db.objectStoreNames].sort(), label: (get.result as { label: number | null }).label });
            db.close();
          };
        };
      }),
  );
  expect(after.version).toBeGreaterThanOrEqual(2);
  expect(after.stores).toEqual(['deltas', 'runs', 'tasks', 'texts']);
  expect(after.label).toBe(1);
});
